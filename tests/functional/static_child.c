/* static_child.c - linked statically, so libbtrace.so never loads in it:
 * only its parent's spawn and reap records account for it. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
