# Writes OUTPUT: a C++ source defining p360::catalog::<FUNCTION>() from the YAML INPUTS (file
# paths joined with "|").
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(content "// Generated from YAML by cmake/EmbedCatalog.cmake. Do not edit.\n")
string(APPEND content "#include \"catalog_files.hpp\"\n\nnamespace p360::catalog {\n\n")
string(APPEND content "const std::vector<EmbeddedFile>& ${FUNCTION}() {\n")
string(APPEND content "    static const std::vector<EmbeddedFile> kFiles = {\n")
foreach(input IN LISTS INPUTS)
    get_filename_component(name ${input} NAME)
    file(READ ${input} text)
    string(APPEND content "        {\"${name}\", R\"p360yaml(${text})p360yaml\"},\n")
endforeach()
string(APPEND content "    };\n    return kFiles;\n}\n\n}  // namespace p360::catalog\n")
file(WRITE ${OUTPUT} "${content}")
