// The functions are `static inline` in include/CJSONMarks.h; SwiftPM needs one source file per C target.
#include "CJSONMarks.h"
