/* foo.c - libadversary_foo.so: a library a program may preload, or drop. */
int adversary_foo(void)
{
	return 42;
}
