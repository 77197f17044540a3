/* exprx_far.c: a second unit of exprx: an enumerator declared only here (gdb finds it from any unit). */

enum far { FAR_AWAY = 1000, FAR_NEAR = 1001 };

enum far far_where = FAR_NEAR;
int far_var = FAR_AWAY;
