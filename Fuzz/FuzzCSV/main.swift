import Crypto
import CustodyDiagnostics
import CustodyLedger
import CustodyValues
import FuzzSupport

// Fuzz target: the streaming CSV reader behind `FolderLedger` (tokenizer, header binding,
// cell parsing, mapping profiles), fed through a real file because the tokenizer reads files.
//
// The first byte picks the read chunk size (1, 2, 3, 7 or 64 bytes, or the 1 MiB default) so
// records, quotes, CRLFs and multi-byte characters straddle chunk boundaries, and whether a
// mapping profile (`;` delimiter, decimal comma, dd.MM.yyyy dates, kg, renamed columns and
// value maps) applies; one mode in four writes the bytes as receipts.jsonl to reach the JSON
// Lines reader instead. Limits are small so the limit paths are reached too. Properties: a
// structural error is a `LedgerError` located in the file; rows come in increasing line order;
// the reported sha256 and byte count are those of the file.

private let chunkSizes = [1, 2, 3, 7, 64, 1 << 20]
private let fileName = "receipts.csv"

private let schema = LedgerSchema(
  id: "fuzz", version: "1",
  tables: [
    TableSchema(
      name: "receipts", file: fileName, key: ["entry_id"], entryID: "entry_id",
      columns: [
        ColumnSchema(name: "entry_id", type: .string, required: true),
        ColumnSchema(name: "date", type: .date, required: true),
        ColumnSchema(name: "pool", type: .enumeration(["PCL", "MR", "none"]), required: true),
        ColumnSchema(
          name: "cu_t", type: .decimal(unit: "t", maxScale: 6), required: true,
          minimum: ExactDecimal(0)),
        ColumnSchema(name: "lines", type: .integer, required: false),
        ColumnSchema(name: "in_scope", type: .boolean, required: false),
        ColumnSchema(name: "tags", type: .list(separator: ";"), required: false),
        ColumnSchema(name: "note", type: .string, required: false),
      ])
  ])

private let profile = MappingProfile(
  name: "erp", delimiter: ";", decimalComma: true, dateFormat: "dd.MM.yyyy",
  tables: [
    "receipts": TableMapping(
      columns: ["entry_id": "Beleg", "cu_t": "Cu kg"], units: ["cu_t": .kg],
      constants: ["pool": "PCL"],
      values: ["in_scope": ["ja": "true", "nein": "false"]])
  ])

private let jsonFileName = "receipts.jsonl"

private let folder: String = {
  FuzzFiles.removeScratchAtExit(files: [fileName, jsonFileName])
  return FuzzFiles.scratch
}()

private func hex(_ digest: some Sequence<UInt8>) -> String {
  digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data, size > 0 else { return 0 }
  let mode = Int(data[0])
  let body = UnsafeBufferPointer(start: data + 1, count: size - 1)
  let jsonLines = (mode / (2 * chunkSizes.count)) % 4 == 3
  let path = folder + "/" + (jsonLines ? jsonFileName : fileName)
  FuzzFiles.remove(folder + "/" + (jsonLines ? fileName : jsonFileName))
  FuzzFiles.write(path, body)
  var options = LedgerOpenOptions()
  options.limits.chunkBytes = chunkSizes[mode % chunkSizes.count]
  options.limits.maxFieldBytes = 256
  options.limits.maxRecordBytes = 1024
  options.limits.maxColumns = 32
  let mapped = (mode / chunkSizes.count) % 2 == 1
  let maxLine = FuzzProperties.lineCount(body)
  do {
    let ledger = try FolderLedger.open(
      folder: folder, schema: schema, profile: mapped ? profile : nil, options: options)
    var previous = jsonLines ? 0 : 1  // a CSV header takes line 1 at least; JSON Lines has none
    try ledger.read(table: "receipts") { row in
      FuzzDriver.require(
        row.line > previous && row.line <= maxLine,
        "row line \(row.line) after \(previous), file has \(maxLine)")
      FuzzDriver.require(row.values.count == 8, "row has \(row.values.count) values")
      previous = row.line
    }
    let info = ledger.files.first
    FuzzDriver.require(
      info?.bytes == body.count, "read \(info?.bytes ?? -1) of \(body.count) bytes")
    FuzzDriver.require(
      info?.sha256 == hex(SHA256.hash(data: body)), "sha256 differs from the file's")
    for e in ledger.cellErrors {
      FuzzProperties.checkLocation(
        SourceLocation(
          file: e.provenance.file, line: e.provenance.line, column: e.provenance.column ?? 1),
        file: path, maxLine: maxLine, what: "cell error \(e.message)")
    }
  } catch let error as LedgerError {
    FuzzDriver.require(
      error.diagnostic.severity == .error, "ledger error is not an error: \(error)")
    FuzzProperties.checkLocations([error.diagnostic], file: path, maxLine: maxLine)
  } catch {
    FuzzDriver.require(false, "unexpected error type: \(error)")
  }
  return 0
}

// Initialize the fixtures before the first input, so leak checking does not count them.
_ = (schema, profile, folder)
FuzzDriver.main(fuzzCSV)
