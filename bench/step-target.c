/* step-target.c: the program bench/step steps through: a loop whose body
 * is one long line of straight code (no branch, no call) and one short
 * line. Built at -O0. */
volatile long v[16];

int
main(void)
{
	long a = 1, b = 2, c = 3, d = 4;

	for (int i = 0; i < 1000000; i++) {
		a = v[0] * b + v[1] * c + v[2] * d + v[3] * a + v[4] * b + v[5] * c + v[6] * d + v[7] * a + v[8] * b + v[9] * c + v[10] * d + v[11] * a + v[12] * b + v[13] * c + v[14] * d + v[15] * a + b * c + c * d + d * a + a * b; /* BENCH_LONG */
		b = a + i; /* BENCH_SHORT */
	}
	return (int)(a + b + c + d) & 1;
}
