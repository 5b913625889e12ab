# cmake -DIN=file -DOUT=header -DVAR=name -DSHOWN=path -P embed_file.cmake:
# writes HEADER holding the bytes of FILE as `static const char VAR[]`,
# NUL-terminated (embed_assets.cmake calls it at build time).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR n "${n} / 2")
# 16 bytes a line, each byte "0xNN,"
string(REGEX REPLACE "([0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])"
       "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
set(text "/* Generated from ${SHOWN} (${n} bytes) by cmake/embed_file.cmake: do not edit. */\n")
string(APPEND text "static const char ${VAR}[] = {\n${hex}0x00};\n")
# Written through a temporary file, so an interrupted build leaves no
# half header that looks up to date.
file(WRITE ${OUT}.tmp "${text}")
file(RENAME ${OUT}.tmp ${OUT})
