/* asset.h - writing the files of output/assets/ (scripts, style sheets)
 * into an output.
 *
 * The files are embedded at build time (cmake/embed_assets.cmake:
 * `#include "output/assets/NAME.h"` gives `bt_asset_NAME[]`, NUL-ended).
 * They keep notes for whoever edits them; the outputs get the code only. */
#ifndef BTRACE_OUTPUT_ASSET_H
#define BTRACE_OUTPUT_ASSET_H

#include <stdio.h>

/* Writes TEXT to F without its notes and with each kept line followed by
 * SEP ("\n" for a script, "" to put a style sheet on one line).  Notes
 * are whole lines: one that starts (after blanks) with "//", and block
 * comments that start a line, from the line that opens them to the one
 * that ends in the closing mark.  Returns 0, or -1 when F has an error. */
int bt_asset_put(FILE *f, const char *text, const char *sep);

#endif
