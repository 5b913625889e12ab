/* test_attribution.c - the attribution rules on real frame names: each
 * category is reachable, specific rules beat general ones, unwind tables
 * are not debuginfo, the innermost frame with a rule decides, shared
 * infrastructure defers to its caller, and the codegen driver follows the
 * unit's backend; catch-alls (all of llvm::) give way to a specific rule
 * further out; line-table work is told from the rest of debuginfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "profile/attribution.h"

struct frame_case {
	const char *func, *module;
	int want;
};

static const struct frame_case frames[] = {
    /* rustc's debuginfo builders */
    {"rustc_codegen_llvm::debuginfo::metadata::type_di_node",
     "librustc_driver-6108105cd7e839cf.so", BT_CAT_DEBUGINFO},
    {"<rustc_codegen_llvm::builder::GenericBuilder<rustc_codegen_llvm::"
     "context::FullCx> as rustc_codegen_ssa::traits::debuginfo::"
     "DebugInfoBuilderMethods>::dbg_var_addr",
     NULL, BT_CAT_DEBUGINFO},
    {"rustc_codegen_ssa::mir::debuginfo::<impl rustc_codegen_ssa::mir::"
     "FunctionCx<Bx>>::compute_per_local_var_debug_info",
     NULL, BT_CAT_DEBUGINFO},
    {"LLVMRustDIBuilderCreateStructType", NULL, BT_CAT_DEBUGINFO},
    /* LLVM's debuginfo */
    {"llvm::DwarfDebug::endFunctionImpl(llvm::MachineFunction const*)", NULL,
     BT_CAT_DEBUGINFO},
    {"llvm::DwarfUnit::addType(llvm::DIE&, llvm::DIType const*, "
     "llvm::dwarf::Attribute)",
     NULL, BT_CAT_DEBUGINFO},
    {"llvm::DIEValueList::addValue(llvm::BumpPtrAllocatorImpl<>&, "
     "llvm::DIEValue const&)",
     NULL, BT_CAT_DEBUGINFO},
    {"llvm::DIBuilder::createMemberType(...)", NULL, BT_CAT_DEBUGINFO},
    {"LiveDebugValues::InstrRefBasedLDV::ExtendRanges(...)", NULL,
     BT_CAT_DEBUGINFO},
    {"llvm::salvageDebugInfo(llvm::Instruction&)", NULL, BT_CAT_DEBUGINFO},
    {"(anonymous namespace)::LiveDebugValuesLegacy::runOnMachineFunction("
     "llvm::MachineFunction&)",
     NULL, BT_CAT_DEBUGINFO},
    {"(anonymous namespace)::RemoveRedundantDebugValuesImpl::"
     "reduceDbgValues(llvm::MachineFunction&)",
     NULL, BT_CAT_DEBUGINFO},
    {"rustc_codegen_ssa::debuginfo::type_names::push_item_name", NULL,
     BT_CAT_DEBUGINFO},
    {"llvm::MCDwarfLineTable::emit(llvm::MCStreamer*, "
     "llvm::MCDwarfLineTableParams)",
     NULL, BT_CAT_DEBUGINFO},
    /* unwind tables are codegen, not debuginfo */
    {"llvm::DwarfCFIException::beginFunction(llvm::MachineFunction const*)",
     NULL, BT_CAT_CODEGEN_LLVM},
    {"llvm::MCDwarfFrameEmitter::Emit(llvm::MCObjectStreamer&, "
     "llvm::MCAsmBackend*, bool)",
     NULL, BT_CAT_CODEGEN_LLVM},
    /* LLVM itself, rustc's LLVM backend */
    {"llvm::SelectionDAGISel::runOnMachineFunction(llvm::MachineFunction&)",
     NULL, BT_CAT_CODEGEN_LLVM},
    {"(anonymous namespace)::RAGreedy::selectOrSplit(...)", NULL,
     BT_CAT_CODEGEN_LLVM},
    {"LLVMRustWriteOutputFile", NULL, BT_CAT_CODEGEN_LLVM},
    {"rustc_codegen_llvm::back::write::optimize", NULL, BT_CAT_CODEGEN_LLVM},
    {NULL, "libLLVM.so.22.1-rust-1.95.0-stable", BT_CAT_CODEGEN_LLVM},
    /* Cranelift */
    {"cranelift_codegen::machinst::lower::Lower<I>::lower", NULL,
     BT_CAT_CODEGEN_CRANELIFT},
    {"<cranelift_codegen::isa::x64::X64Backend as "
     "cranelift_codegen::isa::TargetIsa>::compile_function",
     NULL, BT_CAT_CODEGEN_CRANELIFT},
    {"regalloc2::ion::<impl regalloc2::ion::data_structures::Env<F>>::run",
     NULL, BT_CAT_CODEGEN_CRANELIFT},
    {"rustc_codegen_cranelift::base::codegen_fn", NULL,
     BT_CAT_CODEGEN_CRANELIFT},
    {"rustc_codegen_cranelift::debuginfo::DebugContext::define_function", NULL,
     BT_CAT_DEBUGINFO},
    {NULL, "librustc_codegen_cranelift-0123abcd.so", BT_CAT_CODEGEN_CRANELIFT},
    /* the backend-independent driver follows the backend */
    {"rustc_codegen_ssa::base::codegen_crate", NULL, BT_CAT_CODEGEN},
    {"rustc_monomorphize::collector::collect_items_rec", NULL, BT_CAT_CODEGEN},
    {"rustc_codegen_ssa::back::link::link_binary", NULL, BT_CAT_LINK},
    /* frontend */
    {"rustc_parse::parser::Parser::parse_item_common", NULL, BT_CAT_FRONTEND},
    {"rustc_expand::expand::MacroExpander::fully_expand_fragment", NULL,
     BT_CAT_FRONTEND},
    {"rustc_resolve::late::LateResolutionVisitor::resolve_expr", NULL,
     BT_CAT_FRONTEND},
    {"rustc_hir_typeck::typeck", NULL, BT_CAT_FRONTEND},
    {"rustc_borrowck::do_mir_borrowck", NULL, BT_CAT_FRONTEND},
    /* query providers both phases call: their caller decides */
    {"rustc_mir_transform::run_optimization_passes", NULL, BT_CAT_NONE},
    {"rustc_ty_utils::abi::fn_abi_of_instance", NULL, BT_CAT_NONE},
    {"rustc_trait_selection::traits::codegen::codegen_select_candidate", NULL,
     BT_CAT_NONE},
    {"rustc_metadata::rmeta::decoder::<impl rustc_metadata::creader::"
     "CrateMetadataRef>::get_optimized_mir",
     NULL, BT_CAT_NONE},
    {"rustc_metadata::rmeta::encoder::encode_metadata", NULL, BT_CAT_FRONTEND},
    {"<proc_macro::bridge::client::Client<...>>::run", NULL, BT_CAT_FRONTEND},
    /* shared infrastructure has no rule of its own */
    {"rustc_query_system::query::plumbing::try_execute_query", NULL,
     BT_CAT_NONE},
    {"rustc_middle::ty::context::TyCtxt::intern_ty", NULL, BT_CAT_NONE},
    {"hashbrown::raw::RawTable<T,A>::reserve_rehash", NULL, BT_CAT_NONE},
    {"__memmove_avx_unaligned_erms", "libc.so.6", BT_CAT_NONE},
    {"_rjem_malloc", "librustc_driver-6108105cd7e839cf.so", BT_CAT_NONE},
    /* the dynamic loader is not the linker */
    {"_dl_relocate_object", "ld-linux-x86-64.so.2", BT_CAT_NONE},
    {NULL, NULL, BT_CAT_NONE},
};

/* A rule's category without its flags. */
static int cat_of(int rule)
{
	return rule == BT_CAT_NONE ? rule : rule & ~BT_RULE_FLAGS;
}

static void test_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(frames) / sizeof(*frames); i++) {
		int got =
		    cat_of(bt_frame_rule(frames[i].func, frames[i].module));
		if (got != frames[i].want)
			fail_msg("frame %zu %s [%s]: category %d, want %d", i,
				 frames[i].func ? frames[i].func : "(null)",
				 frames[i].module ? frames[i].module : "(null)",
				 got, frames[i].want);
	}
}

/* Stacks, innermost first, as rule results. */
static void test_stacks(void **state)
{
	(void)state;
	const char *memcpy_ = "__memmove_avx_unaligned_erms";
	/* memcpy called by DwarfDebug called by codegen: debuginfo */
	int s1[] = {
	    bt_frame_rule(memcpy_, "libc.so.6"),
	    bt_frame_rule("llvm::DwarfDebug::beginFunction", NULL),
	    bt_frame_rule("llvm::AsmPrinter::runOnMachineFunction", NULL),
	    bt_frame_rule("rustc_codegen_ssa::base::codegen_crate", NULL)};
	/* a query run from the type checker: frontend */
	int s2[] = {bt_frame_rule("hashbrown::raw::RawTable<T>::find", NULL),
		    bt_frame_rule("rustc_query_system::query::plumbing::"
				  "try_execute_query",
				  NULL),
		    bt_frame_rule("rustc_hir_typeck::typeck", NULL),
		    bt_frame_rule("rustc_interface::passes::analysis", NULL)};
	/* mono collection: the unit's backend */
	int s3[] = {bt_frame_rule("rustc_middle::ty::instance::Instance::"
				  "resolve",
				  NULL),
		    bt_frame_rule("rustc_monomorphize::collector::"
				  "collect_items_rec",
				  NULL)};
	/* MIR optimization run lazily for an instance codegen collected:
	 * codegen; the same pass under the analysis phase: frontend */
	int s5[] = {bt_frame_rule("rustc_mir_transform::run_optimization_"
				  "passes",
				  NULL),
		    bt_frame_rule("rustc_query_system::query::plumbing::"
				  "try_execute_query",
				  NULL),
		    bt_frame_rule("rustc_monomorphize::collector::"
				  "collect_items_rec",
				  NULL)};
	int s6[] = {bt_frame_rule("rustc_mir_transform::run_optimization_"
				  "passes",
				  NULL),
		    bt_frame_rule("rustc_interface::passes::analysis", NULL)};
	/* nothing known: other */
	int s4[] = {bt_frame_rule(NULL, NULL), bt_frame_rule("main", NULL)};

	assert_int_equal(bt_stack_category(s1, 4, "llvm"), BT_CAT_DEBUGINFO);
	assert_int_equal(bt_stack_category(s2, 4, "llvm"), BT_CAT_FRONTEND);
	assert_int_equal(bt_stack_category(s3, 2, "llvm"), BT_CAT_CODEGEN_LLVM);
	assert_int_equal(bt_stack_category(s3, 2, "cranelift"),
			 BT_CAT_CODEGEN_CRANELIFT);
	assert_int_equal(bt_stack_category(s4, 2, "llvm"), BT_CAT_OTHER);
	assert_int_equal(bt_stack_category(s5, 3, "llvm"), BT_CAT_CODEGEN_LLVM);
	assert_int_equal(bt_stack_category(s6, 2, "llvm"), BT_CAT_FRONTEND);
	assert_int_equal(bt_stack_category(s4, 0, "llvm"), BT_CAT_OTHER);
}

/* Catch-alls and line tables. */
static void test_layers(void **state)
{
	(void)state;
	/* a generic LLVM helper under DwarfDebug under the codegen driver:
	 * the specific rule further out decides */
	int s1[] = {bt_frame_rule("llvm::MDNode::MDNode(...)", NULL),
		    bt_frame_rule("llvm::MCObjectStreamer::emitBytes("
				  "llvm::StringRef)",
				  NULL),
		    bt_frame_rule("llvm::DwarfDebug::endModule()", NULL),
		    bt_frame_rule("rustc_codegen_ssa::back::write::"
				  "execute_work_item",
				  NULL)};
	/* the same helper under no specific frame: the innermost
	 * catch-all, LLVM, not the driver further out */
	int s2[] = {bt_frame_rule("llvm::MCObjectStreamer::emitBytes("
				  "llvm::StringRef)",
				  NULL),
		    bt_frame_rule("llvm::AsmPrinter::emitFunctionBody()", NULL),
		    bt_frame_rule("rustc_codegen_ssa::back::write::"
				  "execute_work_item",
				  NULL),
		    bt_frame_rule("rustc_interface::passes::analysis", NULL)};
	/* a debug location: debuginfo that line-tables-only keeps */
	int s3[] = {bt_frame_rule("llvm::DenseMapBase<llvm::DenseMap<llvm::"
				  "DILocation*>>::LookupBucketFor",
				  NULL),
		    bt_frame_rule("llvm::DILocation::getImpl(...)", NULL),
		    bt_frame_rule("LLVMDIBuilderCreateDebugLocation", NULL),
		    bt_frame_rule("rustc_codegen_ssa::mir::codegen_mir", NULL)};
	/* a struct's type info: debuginfo that it drops */
	int s4[] = {
	    bt_frame_rule("llvm::MDNode::MDNode(...)", NULL),
	    bt_frame_rule("llvm::DIBuilder::createMemberType(...)", NULL),
	    bt_frame_rule("rustc_codegen_llvm::debuginfo::metadata::"
			  "build_struct_type_di_node",
			  NULL),
	    bt_frame_rule("rustc_codegen_llvm::debuginfo::create_"
			  "scope_map::make_mir_scope",
			  NULL)};

	assert_true(bt_frame_rule("llvm::MDNode::MDNode(...)", NULL) &
		    BT_RULE_WEAK);
	assert_false(bt_frame_rule("llvm::DwarfDebug::endModule()", NULL) &
		     BT_RULE_WEAK);
	assert_int_equal(bt_stack_category(s1, 4, "llvm"), BT_CAT_DEBUGINFO);
	assert_false(bt_stack_line_tables(s1, 4));
	assert_int_equal(bt_stack_category(s2, 4, "llvm"), BT_CAT_CODEGEN_LLVM);
	assert_false(bt_stack_line_tables(s2, 4));
	assert_int_equal(bt_stack_category(s3, 4, "llvm"), BT_CAT_DEBUGINFO);
	assert_true(bt_stack_line_tables(s3, 4));
	assert_int_equal(bt_stack_category(s4, 4, "llvm"), BT_CAT_DEBUGINFO);
	assert_false(bt_stack_line_tables(s4, 4));
	assert_int_equal(bt_stack_rule(s4, 0), BT_CAT_NONE);
	/* the debug-value passes are told apart (the estimator's proxy) */
	int s5[] = {
	    bt_frame_rule("llvm::LexicalScopes::getOrCreateLexicalScope"
			  "(llvm::DILocation const*)",
			  NULL),
	    bt_frame_rule("(anonymous namespace)::VarLocBasedLDV::"
			  "ExtendRanges(...)",
			  NULL),
	    bt_frame_rule("(anonymous namespace)::LiveDebugValuesLegacy::"
			  "runOnMachineFunction(llvm::MachineFunction&)",
			  NULL)};
	assert_int_equal(bt_stack_category(s5 + 1, 2, "llvm"),
			 BT_CAT_DEBUGINFO);
	assert_true(bt_stack_debug_values(s5 + 1, 2));
	assert_false(bt_stack_debug_values(s4, 4));
	/* lexical scopes under the pass are debuginfo, not line tables */
	assert_int_equal(bt_stack_category(s5, 3, "llvm"), BT_CAT_DEBUGINFO);
	assert_false(bt_stack_line_tables(s5, 3));
}

static void test_names(void **state)
{
	(void)state;
	static const char *const want[] = {
	    "frontend",	 "codegen_llvm", "codegen_cranelift",
	    "debuginfo", "link",	 "build_script",
	    "cargo",	 "probe",	 "startup",
	    "other"};
	for (int c = 0; c < BT_CAT_MAX; c++)
		assert_string_equal(bt_category_name(c), want[c]);
	assert_string_equal(bt_category_name(BT_CAT_NONE), "?");
	assert_true(bt_rule_count() > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frames),
	    cmocka_unit_test(test_stacks),
	    cmocka_unit_test(test_layers),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
