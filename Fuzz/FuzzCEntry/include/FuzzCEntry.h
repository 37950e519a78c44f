#ifndef FUZZ_C_ENTRY_H
#define FUZZ_C_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for programs that have their own `main` (SwiftPM executables do).
/// Only referenced in builds with -sanitize=fuzzer -DFUZZING, which link libFuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*callback)(const uint8_t *data, size_t size));

#endif
