/* tshared.h: the shared library of the test programs. */
#ifndef TR_TESTS_TRACEES_TSHARED_H
#define TR_TESTS_TRACEES_TSHARED_H

int tshared_add(int a, int b);
/* A thread-local of the library's own: set and read in this thread. */
void tshared_tls_set(int v);
int tshared_tls_get(void);

#endif
