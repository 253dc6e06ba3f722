option(P360_WERROR "Treat warnings as errors (CI)" OFF)

function(p360_apply_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
    if(P360_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
