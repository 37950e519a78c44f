import Synchronization

// ThreadSanitizer's entry points, linked only into a sanitized build (scripts/tsan.sh sets
// CUSTODY_TSAN_SUBSET, which defines CUSTODY_TSAN; see Package.swift).
#if CUSTODY_TSAN
  @_silgen_name("__tsan_acquire") private func tsanAcquire(_ address: UnsafeRawPointer)
  @_silgen_name("__tsan_release") private func tsanRelease(_ address: UnsafeRawPointer)
#endif

/// A `Synchronization.Mutex` that ThreadSanitizer can see.
///
/// On Linux the standard library's `Mutex` waits on a futex through a raw system call, which
/// ThreadSanitizer does not intercept: it would report every access the lock guards as a race.
/// In a sanitized build this type tells ThreadSanitizer that taking the lock acquires, and
/// leaving it releases, the lock's address. In every other build it is the `Mutex` itself,
/// at no cost. Every lock in the modules `scripts/tsan.sh` sanitizes is one of these, so it
/// reports only real races. (The service and the CLI, which it does not build, keep `Mutex`.)
///
/// ```swift
/// final class Counter: Sendable {
///   private let count = Locked(0)
///   func add() { count.withLock { $0 += 1 } }
/// }
/// ```
public struct Locked<Value: ~Copyable>: ~Copyable, Sendable {
  private let mutex: Mutex<Value>

  public init(_ initialValue: consuming sending Value) { mutex = Mutex(initialValue) }

  /// Runs `body` with the value while holding the lock; see `Mutex.withLock`.
  public borrowing func withLock<Result: ~Copyable, E: Error>(
    _ body: (inout sending Value) throws(E) -> sending Result
  ) throws(E) -> sending Result {
    #if CUSTODY_TSAN
      return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
        // The mutex cannot move while borrowed, so its address names the lock.
        let address = withUnsafePointer(to: mutex) { UnsafeRawPointer($0) }
        tsanAcquire(address)
        defer { tsanRelease(address) }
        return try body(&value)
      }
    #else
      return try mutex.withLock(body)
    #endif
  }
}
