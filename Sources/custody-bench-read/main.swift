import CustodyLedger
import CustodyValues

// Measures how fast CustodyLedger reads a canonical receipts.csv (scripts/bench-read.sh).
// Usage: custody-bench-read LEDGER_FOLDER [REPEATS] [ENCODING]  (ENCODING: a profile's
// `encoding:`, e.g. cp932; default utf-8)
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
  print("usage: custody-bench-read LEDGER_FOLDER [REPEATS]")
  exit(64)
}
let repeats = arguments.count >= 3 ? Int(arguments[2]) ?? 3 : 3
// A 4th argument `xlsx` reads receipts.xlsx (its first sheet) instead of receipts.csv.
let mode = arguments.count >= 4 ? arguments[3] : "utf-8"
let workbook = mode == "xlsx"
let encoding = workbook ? TextEncoding.utf8 : TextEncoding(name: mode)
if encoding == nil {
  print("unknown encoding \(mode)")
  exit(64)
}

func col(_ name: String, _ type: ColumnType = .string, min: ExactDecimal? = nil) -> ColumnSchema {
  ColumnSchema(
    name: name, type: type, required: name != "partner" && name != "document_id", minimum: min)
}
let tonnes = ColumnType.decimal(unit: "t", maxScale: 6)
let receipts = TableSchema(
  name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
  columns: [
    col("entry_id"), col("date", .date), col("site"), col("supplier"), col("material"),
    col(
      "origin",
      .enumeration(["post_consumer", "pre_consumer", "primary", "same_process", "unknown"])),
    col("pool", .enumeration(["PCL", "MR", "NONE"])), col("partner"),
    col("gross_t", tonnes, min: 0),
    col("cu_pct", .decimal(unit: "%", maxScale: 6), min: 0), col("cu_t", tonnes, min: 0),
    col("document_id"),
  ])
let schema = LedgerSchema(id: "custody-ledger", version: "1", tables: [receipts])

/// CPU seconds used by this process: on a shared machine, wall time also counts other jobs.
func cpuSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var best = Double.infinity
var bestCPU = Double.infinity
var bytes = 0
var rows = 0
for _ in 0..<repeats {
  let clock = ContinuousClock()
  let start = clock.now
  let startCPU = cpuSeconds()
  do {
    var profile = MappingProfile(
      name: "bench", encoding: encoding ?? .utf8,
      tables: workbook ? ["receipts": TableMapping(file: "receipts.xlsx")] : [:])
    // openpyxl writes floats with 17 significant digits, as Excel does.
    profile.round = workbook
    let ledger = try FolderLedger.open(folder: arguments[1], schema: schema, profile: profile)
    var count = 0
    var total = ExactDecimal.zero
    try ledger.read(table: "receipts") { row in
      count += 1
      if case .decimal(let d) = row[10] { total = (try? total.adding(d)) ?? total }
    }
    rows = count
    bytes = ledger.files.first?.bytes ?? 0
    if !ledger.cellErrors.isEmpty { print("cell errors: \(ledger.cellErrors.count)") }
  } catch {
    print("error: \(error)")
    exit(3)
  }
  let elapsed = clock.now - start
  let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  best = min(best, seconds)
  bestCPU = min(bestCPU, cpuSeconds() - startCPU)
}
let mb = Double(bytes) / 1_000_000
print(
  "input=\(workbook ? "xlsx" : encoding?.rawValue ?? "utf-8") rows=\(rows) bytes=\(bytes) best=\(best)s throughput=\(Int(mb / best)) MB/s"
    + " \(Int(Double(rows) / best)) rows/s"
    + " (cpu \(bestCPU)s: \(Int(mb / bestCPU)) MB/s per core)")
