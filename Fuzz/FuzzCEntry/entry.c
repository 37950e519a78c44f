// Declarations only (include/FuzzCEntry.h); SwiftPM needs one source file per C target.
#include "FuzzCEntry.h"
