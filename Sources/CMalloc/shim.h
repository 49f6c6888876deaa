#ifndef GATEHOUSE_CMALLOC_SHIM_H
#define GATEHOUSE_CMALLOC_SHIM_H

/* glibc's allocator tuning (malloc.h is not in Swift's Glibc module). */
#include <malloc.h>

/* Sets glibc's mmap and trim thresholds (bytes); returns 1 when both took. */
static inline int gatehouse_malloc_thresholds(int mmap_threshold, int trim_threshold) {
#ifdef M_MMAP_THRESHOLD
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
#else
    (void)mmap_threshold; (void)trim_threshold;
    return 0;
#endif
}

#endif
