/* json.c: placeholder: being written. */
#include "json.h"
