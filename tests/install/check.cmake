# ctest "install: find_package(colosim) from a C++ project" (issue 9): installs the build into a
# fresh prefix, configures and builds tests/install/consumer against it with find_package, and
# runs it on the seed paper's workload. Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR, GENERATOR,
# CXX_FLAGS (the sanitizer flags the libraries were built with, if any).
file(REMOVE_RECURSE ${WORK_DIR})

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${WORK_DIR}/build -G ${GENERATOR}
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
     "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}")
step(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
step(${WORK_DIR}/build/consumer ${SOURCE_DIR}/examples/seed_paper/cluster.textproto
     ${SOURCE_DIR}/examples/seed_paper/jobs.csv)
# The seed paper's 8 jobs (examples/seed_paper/jobs.csv) all finish on its 4 GPUs.
if(NOT step_output STREQUAL "finished 8 of 8\n")
  message(FATAL_ERROR "unexpected output of the consumer: '${step_output}'")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
