option(P360_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

if(P360_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                        -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
