# cmake -DNM=nm -DOBJECTS=a.o;b.o -P NoUndefinedSymbols.cmake: fails when an
# object file needs a symbol it does not define (KernelNeedsNoLibrary).
execute_process(COMMAND ${NM} -u ${OBJECTS} OUTPUT_VARIABLE undefined
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -u ${OBJECTS} failed")
endif()
# With several objects nm prints a header per file; only "U symbol" lines
# are calls outside.
if(undefined MATCHES "(^|\n) *U [^\n]+")
  message(FATAL_ERROR "the kernel calls outside itself:\n${undefined}")
endif()
message(STATUS "no undefined symbols in ${OBJECTS}")
