/* vregs.c: known values in the x87, SSE and AVX registers at a line the
 * tests stop at (BP_VREGS): xmm1 four floats, xmm2 two doubles, ymm3's
 * upper half when the CPU has AVX, st0 = 1.5 and st1 = pi on the x87
 * stack, mxcsr with the flush-to-zero bit. Exits 0. */
#include <stdio.h>

static const float f4[4] = { 1.5f, -2.25f, 3.0f, 0.1f };
static const double d2[2] = { 2.5, -1e100 };
static const long double ld[2] = { 3.14159265358979323846L, 1.5L };
static const unsigned char y32[32] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

int
main(void)
{
	unsigned mx = 0x1f80 | 0x8000;
	int done = 0;

	if (__builtin_cpu_supports("avx"))
		__asm__ volatile("vmovdqu %0, %%ymm3" : : "m"(y32) : "xmm3");
	__asm__ volatile("movups %0, %%xmm1" : : "m"(f4) : "xmm1");
	__asm__ volatile("movupd %0, %%xmm2" : : "m"(d2) : "xmm2");
	__asm__ volatile("ldmxcsr %0" : : "m"(mx));
	__asm__ volatile("fldt %0\n\tfldt %1" : : "m"(ld[0]), "m"(ld[1]));
	done = 1; /* BP_VREGS */
	__asm__ volatile("fstp %%st(0)\n\tfstp %%st(0)" : : : "st", "st(1)");
	printf("vregs: done %d\n", done);
	return 0;
}
