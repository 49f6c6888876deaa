import CMalloc

/// glibc allocator settings for the sync processes.
enum MemoryTuning {
    /// Keeps the megabyte-sized buffers of batches (encoded PUSH and CHANGES bodies,
    /// received frames, decoded record arrays) in the heap between batches. By default
    /// glibc maps each such buffer afresh and unmaps it when freed, or trims the heap
    /// after it: every batch then faulted in and zeroed its pages again, 15 % of the
    /// node's CPU while pushing. The thresholds cap what the process keeps: free memory
    /// above 64 MiB at the top of the heap still goes back to the system.
    static func keepBatchBuffers() {
        _ = gatehouse_malloc_thresholds(32 << 20, 64 << 20)
    }
}
