#===- Layering.cmake - scnc libraries link only downwards -----------------===#
#
# Every scnc library (a library target named scnc* defined under lib/ or
# runtime/) has a rank in the table SCNC_LAYER_RANKS of lib/CMakeLists.txt and
# may link only scnc libraries of a strictly lower rank. Only target links are
# checked (LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES), not #include lines.
#
# Used three ways:
# - lib/CMakeLists.txt includes this file and defers scnc_check_layering() to
#   the end of the top-level CMakeLists.txt, when every target exists: an
#   upward link, or a scnc library missing from the table, fails
#   configuration. It also writes the link graph to
#   ${CMAKE_BINARY_DIR}/layering-graph.cmake and adds two ctests.
# - ctest `layering`: cmake -DGRAPH=<graph> -P Layering.cmake checks that
#   graph again.
# - ctest `layering-selftest`: the same with -DEXTRA_LINK=scncSupport->scncIR
#   must fail, so that the check cannot silently become a no-op.
#
#===----------------------------------------------------------------------===#

# Sets <out> to one message per violation. <ranks>: Name=rank items (Name
# without the scnc prefix); <libs>: every scnc library; <links>: items
# scncA->scncB (A links B).
function(scnc_layering_violations out ranks libs links)
  set(errors "")
  foreach(item IN LISTS ranks)
    if(NOT item MATCHES "^([A-Za-z0-9_]+)=([0-9]+)$")
      list(APPEND errors "bad entry '${item}' in SCNC_LAYER_RANKS (Name=rank)")
      continue()
    endif()
    set(rank_scnc${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endforeach()
  foreach(lib IN LISTS libs)
    if(NOT DEFINED rank_${lib})
      list(APPEND errors
           "${lib} has no rank: add it to SCNC_LAYER_RANKS in lib/CMakeLists.txt")
    endif()
  endforeach()
  foreach(link IN LISTS links)
    string(REPLACE "->" ";" ends "${link}")
    list(GET ends 0 from)
    list(GET ends 1 to)
    if(NOT DEFINED rank_${from} OR NOT DEFINED rank_${to})
      if(NOT DEFINED rank_${to})
        list(APPEND errors "${from} links ${to}, which has no rank")
      endif()
      continue()
    endif()
    if(NOT rank_${to} LESS rank_${from})
      string(CONCAT e "${from} (rank ${rank_${from}}) links ${to} "
                      "(rank ${rank_${to}}): upward or sideways")
      list(APPEND errors "${e}")
    endif()
  endforeach()
  set(${out} "${errors}" PARENT_SCOPE)
endfunction()

# Appends the scnc library targets defined in <dir> and below to
# <libs_var>, and their links to other scnc targets to <links_var>.
function(scnc_collect_links dir libs_var links_var)
  set(libs ${${libs_var}})
  set(links ${${links_var}})
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(NOT t MATCHES "^scnc" OR NOT type MATCHES "LIBRARY$")
      continue()
    endif()
    list(APPEND libs ${t})
    set(deps "")
    foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(value ${t} ${prop})
      if(value)
        list(APPEND deps ${value})
      endif()
    endforeach()
    foreach(dep IN LISTS deps)
      # Plain names, $<LINK_ONLY:name> and names inside other generator
      # expressions.
      string(REGEX MATCHALL "scnc[A-Z][A-Za-z0-9_]*" names "${dep}")
      foreach(name IN LISTS names)
        if(TARGET ${name} AND NOT name STREQUAL t)
          list(APPEND links "${t}->${name}")
        endif()
      endforeach()
    endforeach()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    scnc_collect_links(${sub} libs links)
  endforeach()
  list(REMOVE_DUPLICATES links)
  set(${libs_var} ${libs} PARENT_SCOPE)
  set(${links_var} ${links} PARENT_SCOPE)
endfunction()

function(scnc_report_layering ranks libs links)
  scnc_layering_violations(errors "${ranks}" "${libs}" "${links}")
  if(errors)
    list(JOIN errors "\n  " text)
    message(FATAL_ERROR "scnc layering (lib/Layering.cmake, table in "
                        "lib/CMakeLists.txt):\n  ${text}")
  endif()
  list(LENGTH libs nlibs)
  list(LENGTH links nlinks)
  message(STATUS "scnc layering: ${nlibs} libraries, ${nlinks} links "
                 "between them, all downward")
endfunction()

# Called at the end of the top-level CMakeLists.txt (cmake_language DEFER).
function(scnc_check_layering)
  get_property(ranks GLOBAL PROPERTY SCNC_LAYER_RANKS)
  set(libs "")
  set(links "")
  scnc_collect_links(${CMAKE_SOURCE_DIR}/lib libs links)
  scnc_collect_links(${CMAKE_SOURCE_DIR}/runtime libs links)
  set(graph ${CMAKE_BINARY_DIR}/layering-graph.cmake)
  file(WRITE ${graph}
       "# Written by lib/Layering.cmake when CMake configures.\n"
       "set(ranks \"${ranks}\")\nset(libs \"${libs}\")\n"
       "set(links \"${links}\")\n")
  scnc_report_layering("${ranks}" "${libs}" "${links}")
  set(script ${CMAKE_SOURCE_DIR}/lib/Layering.cmake)
  add_test(NAME layering
           COMMAND ${CMAKE_COMMAND} -DGRAPH=${graph} -P ${script})
  add_test(NAME layering-selftest
           COMMAND ${CMAKE_COMMAND} -DGRAPH=${graph}
                   -DEXTRA_LINK=scncSupport->scncIR -P ${script})
  set_tests_properties(layering-selftest PROPERTIES PASS_REGULAR_EXPRESSION
    "scncSupport \\(rank [0-9]+\\) links scncIR \\(rank [0-9]+\\): upward")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  include(${GRAPH})
  if(EXTRA_LINK)
    list(APPEND links ${EXTRA_LINK})
  endif()
  scnc_report_layering("${ranks}" "${libs}" "${links}")
endif()
