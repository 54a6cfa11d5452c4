# colosim_library(<target> <name> [<public include folder>...])
#
# Makes <target> a library a C++ user gets from find_package(colosim): the alias colosim::<name>
# (which in-tree consumers link too, so both see the same names), its public headers (each folder
# is installed as the root of an include tree) and its place in the export set. Adding a library to
# the package is one call after its add_library().
include(GNUInstallDirs)

function(colosim_library target name)
  add_library(colosim::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  foreach(dir IN LISTS ARGN)
    target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${dir}>)
    install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endforeach()
  target_include_directories(${target} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  install(TARGETS ${target} EXPORT colosimTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()

# The package files: colosimTargets.cmake (every colosim_library()), colosimConfig.cmake (finds
# the dependencies the static libraries need) and its version file. Called once, at top level.
function(colosim_install_package)
  include(CMakePackageConfigHelpers)
  set(dest ${CMAKE_INSTALL_LIBDIR}/cmake/colosim)
  install(EXPORT colosimTargets NAMESPACE colosim:: DESTINATION ${dest})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/colosimConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/colosimConfig.cmake INSTALL_DESTINATION ${dest})
  # 0.x: a minor version may break the API.
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/colosimConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/colosimConfig.cmake ${PROJECT_BINARY_DIR}/colosimConfigVersion.cmake
          DESTINATION ${dest})
endfunction()
