# prune_folded.awk -v t=SECONDS STACKS.FOLDED
#
# The reference for btrace's merging of small frames: reads the folded
# stacks of an unmerged profile and prints them as the profile would be
# with every frame worth less than t seconds merged into a
# "[small frames, merged]" child of its parent, one "path value" line per
# distinct path (unsorted).  The first three levels (category, unit,
# thread kind) and the markers "[stack cut ...]" and "[unwinding failed]"
# are kept, as btrace keeps them.
{
	v = $NF
	line[NR] = substr($0, 1, length($0) - length(v) - 1)
	val[NR] = v
	n = split(line[NR], f, ";")
	p = f[1] ";" f[2] ";" f[3]
	for (k = 4; k <= n; k++) {
		p = p ";" f[k]
		sum[p] += v
	}
}
END {
	for (i = 1; i <= NR; i++) {
		n = split(line[i], f, ";")
		p = f[1] ";" f[2] ";" f[3]
		out = p
		for (k = 4; k <= n; k++) {
			p = p ";" f[k]
			if (sum[p] < t * 1e6 - 0.5 &&
			    f[k] !~ /^\[(stack cut|unwinding failed)/) {
				out = out ";[small frames, merged]"
				break
			}
			out = p
		}
		agg[out] += val[i]
	}
	for (o in agg)
		print o " " agg[o]
}
