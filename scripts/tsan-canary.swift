// A data race scripts/tsan.sh must see reported before it trusts a clean run: two threads of
// their own add to one unguarded variable. Built with -sanitize=thread by the script; never
// part of the package.
import Dispatch
import Foundation

final class Box: @unchecked Sendable {  // unguarded on purpose: this is the race
  var count = 0
}
let box = Box()
let done = DispatchGroup()
for _ in 0..<2 {
  done.enter()
  Thread {
    for _ in 0..<1000 { box.count += 1 }
    done.leave()
  }.start()
}
done.wait()
print(box.count)
