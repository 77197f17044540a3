/* tshared.h: the shared library of the test programs. */
#ifndef TR_TESTS_TRACEES_TSHARED_H
#define TR_TESTS_TRACEES_TSHARED_H

int tshared_add(int a, int b);

#endif
