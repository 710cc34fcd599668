# cmake -DNAME= -DELF= -DOBJ= -DNM= -DHELPERS= -DRESOURCES= -DREPORT= -P CheckApp.cmake
cmake_policy(SET CMP0057 NEW) # IN_LIST
# Checks a linked core program (docs/arm.md, "The build"): its objects need
# no symbol but the allowed libgcc helpers (so no floating point, no heap,
# no library call), its code fits ITCM (32 KiB less the APLX loader's 256
# bytes), its static DTCM (data, bss and the stacks) fits DTCM and, for the
# board programs, equals the figure kernel/Resources.h gives the compiler's
# resource model. Prints the figures and writes them to REPORT.
execute_process(COMMAND ${NM} -u ${OBJ} OUTPUT_VARIABLE undefined
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "${NAME}: ${NM} failed")
endif()
string(REGEX MATCHALL "[^ \n]+\n" lines "${undefined}")
set(bad)
foreach(l ${lines})
  string(STRIP "${l}" sym)
  if(sym STREQUAL "U" OR sym MATCHES "^__(bss_start|bss_end|scnc_arena_start|scnc_arena_end|text_end|data_start)$")
    continue()
  endif()
  if(NOT sym IN_LIST HELPERS)
    list(APPEND bad ${sym})
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "ARM968 ${NAME}: the core program calls ${bad}, which "
    "is not one of the allowed libgcc helpers (${HELPERS}): floating point, "
    "a heap or a library call is not allowed on a core (docs/arm.md)")
endif()

execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE syms RESULT_VARIABLE rc)
foreach(s __text_end __data_start __bss_start __bss_end)
  if(NOT syms MATCHES "([0-9a-f]+) [A-Za-z] ${s}\n")
    message(FATAL_ERROR "ARM968 ${NAME}: no symbol ${s}")
  endif()
  math(EXPR ${s} "0x${CMAKE_MATCH_1}")
endforeach()
file(READ ${RESOURCES} res)
foreach(c kITCMProgramBytes kDTCMBase kDTCMBytes)
  if(NOT res MATCHES "${c} = ([0-9a-fA-Fx* ]+);")
    message(FATAL_ERROR "ARM968 ${NAME}: ${RESOURCES} has no ${c}")
  endif()
  math(EXPR ${c} "${CMAKE_MATCH_1}")
endforeach()
set(itcm_limit ${kITCMProgramBytes})
set(dtcm_base ${kDTCMBase})
set(dtcm_size ${kDTCMBytes})
math(EXPR itcm "${__text_end}")
math(EXPR data "${__bss_start} - ${__data_start}")
math(EXPR bss "${__bss_end} - ${__bss_start}")
math(EXPR dtcm "${__bss_end} - ${dtcm_base}")
set(line "ITCM ${itcm} of ${itcm_limit} bytes; static DTCM ${dtcm} of ${dtcm_size} bytes (data ${data}, bss ${bss} with the stacks)")
message(STATUS "scnc arm: ${NAME}: ${line}")
file(WRITE ${REPORT} "${NAME}: ${line}\n")
if(itcm GREATER itcm_limit)
  message(FATAL_ERROR "ARM968 ${NAME}: ${itcm} bytes of code, more than the "
    "${itcm_limit} of ITCM")
endif()
if(dtcm GREATER dtcm_size)
  message(FATAL_ERROR "ARM968 ${NAME}: ${dtcm} bytes of static DTCM, more "
    "than the ${dtcm_size} of a core")
endif()
# The board programs' static DTCM is the resource model's (one figure).
if(NAME MATCHES "^(neuron|source)-board$")
  if(CMAKE_MATCH_1 STREQUAL "neuron")
    set(constant kNeuronProgramDTCMBytes)
  else()
    set(constant kSourceProgramDTCMBytes)
  endif()
  if(NOT res MATCHES "${constant} = ([0-9]+);")
    message(FATAL_ERROR "ARM968 ${NAME}: ${RESOURCES} has no ${constant}")
  endif()
  if(NOT CMAKE_MATCH_1 EQUAL dtcm)
    message(FATAL_ERROR "ARM968 ${NAME}: the program's static DTCM is ${dtcm} "
      "bytes, but kernel/Resources.h's ${constant} (what the partitioner and "
      "the image writer count) is ${CMAKE_MATCH_1}: set it to ${dtcm}")
  endif()
endif()
