// A persistent thread pool: threads are created once (and again only when setThreads changes the count),
// spin briefly after each job and then park on a condition variable. The calling thread is participant 0.
//
// Work is never assigned to a particular thread: participants claim pieces dynamically (parallel_for),
// and a worker that has not joined by the time the caller has run out of pieces is left out. So when the
// machine is busy (another process on the other core), a descheduled worker costs nothing: the caller
// does the remaining pieces itself instead of waiting a scheduler time slice for the worker.
#pragma once

#include <atomic>
#include <cstdint>

namespace dn {

// Number of participants (the caller included) a parallel region may use.
int pool_threads();
// Sets that number (1..64); returns the value in force.
int pool_set_threads(int n);

using TaskFn = void (*)(void* ctx, int tid);

// Runs fn(ctx, 0) on the calling thread and fn(ctx, tid) on each of up to want - 1 workers that join
// before the caller's own call returns; returns when every joined call has returned. tid < 64 is unique
// per participant. When the pool is busy (a call from another thread, or a nested call), only the caller
// runs. fn must therefore share out its work dynamically.
void pool_run(int want, TaskFn fn, void* ctx);

template <class F>
void parallel(int want, F&& f) {
  pool_run(
      want, [](void* ctx, int tid) { (*static_cast<F*>(ctx))(tid); }, &f);
}

// f(i, tid) for i in [0, n), each i claimed by one participant.
template <class F>
void parallel_for(int want, int64_t n, F&& f) {
  if (n <= 0) return;
  if (n == 1 || want <= 1) {
    for (int64_t i = 0; i < n; ++i) f(i, 0);
    return;
  }
  std::atomic<int64_t> next{0};
  parallel(want < n ? want : static_cast<int>(n), [&](int tid) {
    for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) f(i, tid);
  });
}

// Splits [0, n) into parts near-equal contiguous ranges; range `part` is [*lo, *hi).
inline void split_range(int64_t n, int64_t part, int64_t parts, int64_t* lo, int64_t* hi) {
  const int64_t q = n / parts, r = n % parts;
  *lo = part * q + (part < r ? part : r);
  *hi = *lo + q + (part < r ? 1 : 0);
}

}  // namespace dn
