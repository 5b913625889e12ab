# btrace_embed_assets(TARGET FILE...): each FILE (a path under the current
# source directory, any content, text or binary) becomes a generated
# header that TARGET's sources include by the same path plus ".h":
#
#   analyzer/output/assets/flame.js  ->  #include "output/assets/flame.js.h"
#   static const char bt_asset_flame_js[];  /* the bytes, then a NUL */
#
# The array is named bt_asset_ and the file's name with every character
# that is not a letter or a digit made '_'; its length is sizeof - 1.  The
# headers are made in the build directory (build/generated/), again when
# the file changes, by embed_file.cmake; the source tree is not touched.
# Embed a file for one target only: two targets generating the same
# header could race (the writers that use an asset live in btrace_report).
set(BTRACE_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake)

function(btrace_embed_assets target)
  set(gen_dir ${CMAKE_BINARY_DIR}/generated)
  foreach(file IN LISTS ARGN)
    get_filename_component(name ${file} NAME)
    string(MAKE_C_IDENTIFIER "bt_asset_${name}" var)
    set(in ${CMAKE_CURRENT_SOURCE_DIR}/${file})
    set(out ${gen_dir}/${file}.h)
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DIN=${in} -DOUT=${out} -DVAR=${var}
              -DSHOWN=${file} -P ${BTRACE_EMBED_SCRIPT}
      DEPENDS ${in} ${BTRACE_EMBED_SCRIPT}
      COMMENT "Embedding ${file}"
      VERBATIM)
    target_sources(${target} PRIVATE ${out})
  endforeach()
  target_include_directories(${target} PRIVATE ${gen_dir})
endfunction()
