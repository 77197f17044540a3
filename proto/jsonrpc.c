/* jsonrpc.c: placeholder: being written. */
#include "jsonrpc.h"
