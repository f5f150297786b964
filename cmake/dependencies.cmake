# Every dependency comes from Debian (.ci/setup installs them). Target names as
# ../shared/docs/toolchain.md found them for these versions.
find_package(xtensor 0.24 REQUIRED)
find_package(xsimd REQUIRED)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(ZLIB REQUIRED)
find_package(spdlog 1.10 REQUIRED)   # spdlog::spdlog, compiled, external fmt 9
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
find_path(OPENBLAS_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas-pthread openblas
          HINTS /usr/include/x86_64-linux-gnu REQUIRED)

# Flags for the hot kernels: GCC 12 at plain -O2 barely vectorises (docs/performance).
set(FATHOM_KERNEL_FLAGS -O3 -march=${FATHOM_KERNEL_ARCH} -fno-math-errno)

function(fathom_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-array-bounds)
endfunction()

# One library per folder from the .cpp files in it (globbed, so that adding a file needs no
# CMake edit; CONFIGURE_DEPENDS re-globs at build time). A folder with no sources yet is an
# INTERFACE target carrying its dependencies.
function(fathom_folder_library name)
  cmake_parse_arguments(ARG "RECURSE" "" "DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  if(ARG_RECURSE)
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  else()
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  endif()
  if(sources)
    add_library(${name} STATIC ${sources})
    target_link_libraries(${name} PUBLIC ${ARG_DEPENDS} PRIVATE ${ARG_PRIVATE_DEPENDS})
    fathom_warnings(${name})
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE ${ARG_DEPENDS})
  endif()
endfunction()
