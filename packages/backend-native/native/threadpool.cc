#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#define DN_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define DN_PAUSE() __asm__ __volatile__("yield")
#else
#define DN_PAUSE() ((void)0)
#endif

namespace dn {
namespace {

// How long a worker spins for the next job before parking (a wake-up through the condition variable
// costs tens of microseconds; back-to-back kernels of one training step come sooner than this).
constexpr auto kSpin = std::chrono::microseconds(200);

class Pool {
 public:
  Pool() {
    int n = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("DISTILLERY_NATIVE_THREADS")) {
      const int v = std::atoi(env);
      if (v > 0) n = v;
    }
    resize(n);
  }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  int set_threads(int n) {
    while (!try_acquire()) std::this_thread::yield();
    resize(n);
    busy_.store(false, std::memory_order_release);
    return threads();
  }

  void run(int want, TaskFn fn, void* ctx) {
    if (want <= 1 || threads() <= 1 || !try_acquire()) {
      fn(ctx, 0);
      return;
    }
    const int nt = want < threads() ? want : threads();
    const uint64_t gen = ++generation_ & 0xffffffffu;
    job_fn_ = fn;
    job_ctx_ = ctx;
    state_.store(gen << 32, std::memory_order_release);  // open, nobody joined
    for (int w = 1; w < nt; ++w) {
      Slot& s = *slots_[w];
      s.gen.store(gen, std::memory_order_relaxed);
      s.seq.fetch_add(1, std::memory_order_release);
    }
    {
      // Taken even when nobody sleeps: a worker about to park either sees the new sequence number under
      // this mutex or is counted in sleepers_ before we look.
      std::lock_guard<std::mutex> lock(mutex_);
      if (sleepers_ > 0) cv_.notify_all();
    }
    fn(ctx, 0);
    // Close the job: workers that have not joined yet will not; wait for those that did.
    state_.fetch_or(kClosed, std::memory_order_acq_rel);
    int spins = 0;
    while ((state_.load(std::memory_order_acquire) & kActive) != 0) {
      if (++spins < 2048) {
        DN_PAUSE();
      } else {
        std::this_thread::yield();
      }
    }
    busy_.store(false, std::memory_order_release);
  }

 private:
  // state_: generation (high 32 bits) | closed (bit 31) | participants running the job (low 31 bits).
  static constexpr uint64_t kClosed = uint64_t{1} << 31;
  static constexpr uint64_t kActive = kClosed - 1;

  struct alignas(64) Slot {
    std::atomic<uint64_t> seq{0};
    std::atomic<uint64_t> gen{0};
    int tid = 0;
  };

  // A plain flag rather than a mutex: a nested call from inside a task (on any participant) must just fail.
  bool try_acquire() {
    bool expected = false;
    return busy_.compare_exchange_strong(expected, true, std::memory_order_acquire);
  }

  // Called with busy_ held (or from the constructor).
  void resize(int n) {
    if (n < 1) n = 1;
    if (n > 64) n = 64;
    if (static_cast<int>(workers_.size()) != n - 1) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true, std::memory_order_release);
        cv_.notify_all();
      }
      for (auto& t : workers_) t.join();
      workers_.clear();
      stop_.store(false, std::memory_order_release);
      slots_.clear();
      for (int i = 0; i < n; ++i) {
        slots_.emplace_back(new Slot());
        slots_.back()->tid = i;
      }
      for (int i = 1; i < n; ++i) workers_.emplace_back([this, i] { work(*slots_[i]); });
    }
    threads_.store(n, std::memory_order_relaxed);
  }

  // Joins the job of generation gen unless it is closed (or already another one).
  bool join(uint64_t gen) {
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if ((s >> 32) != gen || (s & kClosed) != 0) return false;
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
    }
  }

  void work(Slot& slot) {
    uint64_t seen = 0;  // the value the slot was created with: a job posted before this thread runs counts
    uint64_t joined = ~uint64_t{0};
    for (;;) {
      const auto start = std::chrono::steady_clock::now();
      int spins = 0;
      auto ready = [&] {
        return slot.seq.load(std::memory_order_acquire) != seen || stop_.load(std::memory_order_acquire);
      };
      while (!ready()) {
        DN_PAUSE();
        if ((++spins & 255) == 0 && std::chrono::steady_clock::now() - start > kSpin) {
          std::unique_lock<std::mutex> lock(mutex_);
          ++sleepers_;
          cv_.wait(lock, ready);
          --sleepers_;
        }
      }
      if (stop_.load(std::memory_order_acquire)) return;
      seen = slot.seq.load(std::memory_order_acquire);
      const uint64_t gen = slot.gen.load(std::memory_order_relaxed);
      if (gen != joined && join(gen)) {
        joined = gen;
        job_fn_(job_ctx_, slot.tid);
        state_.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  std::atomic<bool> busy_{false};  // held by the thread that runs a parallel region
  std::mutex mutex_;               // guards parking
  std::condition_variable cv_;
  alignas(64) std::atomic<uint64_t> state_{0};
  uint64_t generation_ = 0;
  TaskFn job_fn_ = nullptr;
  void* job_ctx_ = nullptr;
  std::atomic<int> threads_{1};
  std::atomic<bool> stop_{false};
  int sleepers_ = 0;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> workers_;
};

// Never destroyed: worker threads may still be parked when the process exits.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int pool_threads() { return pool().threads(); }
int pool_set_threads(int n) { return pool().set_threads(n); }
void pool_run(int want, TaskFn fn, void* ctx) { pool().run(want, fn, ctx); }

}  // namespace dn
