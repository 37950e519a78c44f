import CustodyValues
import Foundation

/// A canonical ledger folder read naively (the generator never quotes fields), for tests that
/// must not depend on the ledger readers or the engine.
struct SampleLedger {
  typealias Row = [String: String]
  private var tables: [String: [Row]] = [:]

  init(dir: String) throws {
    for name in try FileManager.default.contentsOfDirectory(atPath: dir)
    where name.hasSuffix(".csv") {
      let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
      var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      if lines.last == "" { lines.removeLast() }
      guard
        let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(
          String.init)
      else { continue }
      var rows: [Row] = []
      for (index, line) in lines.dropFirst().enumerated() {
        var row: Row = ["#line": String(index + 2)]
        for (column, cell) in zip(
          header, line.split(separator: ",", omittingEmptySubsequences: false))
        {
          row[column] = String(cell)
        }
        rows.append(row)
      }
      tables[String(name.dropLast(4))] = rows
    }
  }

  func table(_ name: String) -> [Row] { tables[name] ?? [] }
}

/// Parses a plain decimal into an integer of 10^-scale units ("1.5", 6 -> 1_500_000).
func scaled(_ text: String?, _ scale: Int) -> Int64? {
  guard let text, !text.isEmpty else { return nil }
  let parts = text.split(separator: ".", omittingEmptySubsequences: false)
  guard parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
  var fraction = parts.count == 2 ? String(parts[1]) : ""
  guard fraction.count <= scale else { return nil }
  fraction += String(repeating: "0", count: scale - fraction.count)
  var unit: Int64 = 1
  for _ in 0..<scale { unit *= 10 }
  return whole * unit + (Int64(fraction) ?? 0)
}

func day(_ text: String?) -> CivilDate? { text.flatMap { CivilDate.parseISO($0) } }
