# The Debian package: `cpack -G DEB` in a build tree configured with
# -DCMAKE_INSTALL_PREFIX=/usr (the prefix is compiled into btrace, which
# finds libbtrace.so there).  Dependencies come from dpkg-shlibdeps
# (libc6, libelf1, libcjson1, libsqlite3-0; libiberty is linked
# statically).  libpq5 is only suggested: btrace dlopens it when a
# postgresql:// history store is used, and says which package to install
# when it is missing (analyzer/history/postgres.c); the
# postinst and postrm run ldconfig, so that LD_PRELOAD=libbtrace.so needs
# no path.  tests/package/deb.sh builds it, inspects it, and installs it
# with dpkg -i in a throwaway overlay of /usr, /etc and /var.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "cpack -G DEB: the package installs into ${CMAKE_INSTALL_PREFIX}; configure with -DCMAKE_INSTALL_PREFIX=/usr for a Debian package")
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME btrace)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "btrace maintainers <btrace-maintainers@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "where a cargo build's time goes, and what to change")
set(CPACK_PACKAGE_DESCRIPTION "btrace records every process of a build through a preload library\n(LD_PRELOAD=libbtrace.so cargo build, or cargo btrace build) and samples\nthe CPU with stacks in rustc and the linkers.  btrace report splits the\nbuild's CPU into frontend, codegen, debuginfo, linking and more, and\nrecommends Cargo.toml changes with their estimated savings; btrace\nexperiment measures them.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS libpq5)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/postinst ${CMAKE_CURRENT_LIST_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
include(CPack)
