/* json.h: JSON values, a bounded parser and a writer (placeholder: being written). */
#ifndef TR_PROTO_JSON_H
#define TR_PROTO_JSON_H
#endif
