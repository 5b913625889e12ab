/* seed_lib.c - a small shared library whose ELF file seeds the symbolizer
 * fuzzer: a few global and static functions, data, and a TLS variable. */
static int counter;
static __thread int per_thread;

static int helper(int x)
{
	return x * 3 + counter++;
}

int seed_alpha(int x)
{
	per_thread += x;
	return helper(x) + per_thread;
}

int seed_beta(const char *s)
{
	int n = 0;
	while (s && *s)
		n += helper(*s++);
	return n;
}
