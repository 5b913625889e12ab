# nocfi_spin.s - a hot loop with no unwind information at all (no .cfi
# directives, so no FDE in .eh_frame): issue 14, defect 6.  An unwinder
# that stops here has not reached the root of the stack.
# uint64_t nocfi_spin(uint64_t n): counts down from n; returns 0.
	.text
	.globl	nocfi_spin
	.type	nocfi_spin, @function
nocfi_spin:
	movq	%rdi, %rax
1:	subq	$1, %rax
	jnz	1b
	ret
	.size	nocfi_spin, .-nocfi_spin
	.section	.note.GNU-stack,"",@progbits
