import CustodyDiagnostics
import CustodyValues

/// One record of a ledger table, values in the schema's column order.
public struct LedgerRow: Sendable {
  public var values: [Value]
  /// Physical line where the record starts (the header is line 1; a quoted field spanning
  /// lines counts them). For JSON Lines, the line of the object.
  public var line: Int
  /// The value of the table's entry-id column, if it has one and it is readable.
  public var entryID: String?
  /// Schema column indices whose cell could not be read (the value is null). Rules that read
  /// such a column skip this row and say so.
  public var invalidColumns: [Int]

  public init(values: [Value], line: Int, entryID: String?, invalidColumns: [Int] = []) {
    self.values = values
    self.line = line
    self.entryID = entryID
    self.invalidColumns = invalidColumns
  }

  @inline(__always) public subscript(column: Int) -> Value { values[column] }
}

/// Where a value came from: file, physical line, column and entry id.
public struct CellProvenance: Sendable, Hashable, Codable {
  public var file: String
  public var line: Int
  /// 1-based column number in the file as read (after the header's order).
  public var column: Int?
  public var columnName: String?
  public var entryID: String?
  public init(
    file: String, line: Int, column: Int? = nil, columnName: String? = nil, entryID: String? = nil
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.columnName = columnName
    self.entryID = entryID
  }
}

/// A cell that could not be read. The run goes on; it becomes a data-integrity finding.
public struct CellError: Sendable, Hashable {
  public var code: DiagnosticCode
  public var message: String
  public var table: String
  public var provenance: CellProvenance
  /// The cell text as written.
  public var raw: String
  public init(
    code: DiagnosticCode, message: String, table: String, provenance: CellProvenance, raw: String
  ) {
    self.code = code
    self.message = message
    self.table = table
    self.provenance = provenance
    self.raw = raw
  }
}

/// A structural problem that makes the ledger unreadable (exit code 3).
public struct LedgerError: Error, Sendable, CustomStringConvertible {
  public var diagnostic: Diagnostic
  public init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }
  public var description: String { diagnostic.description }
}

/// What was read from one file.
public struct LedgerFileInfo: Sendable, Hashable {
  public var table: String
  /// Path as given (folder + file name), used in evidence.
  public var path: String
  /// sha256 of the file's bytes, hex; empty for in-memory tables.
  public var sha256: String
  public var rows: Int
  public var bytes: Int
  /// Header columns the schema does not know (ignored, listed by `inspect`).
  public var extraColumns: [String]
  /// True when an optional table's file is absent.
  public var absent: Bool
  public init(
    table: String, path: String, sha256: String, rows: Int, bytes: Int, extraColumns: [String] = [],
    absent: Bool = false
  ) {
    self.table = table
    self.path = path
    self.sha256 = sha256
    self.rows = rows
    self.bytes = bytes
    self.extraColumns = extraColumns
    self.absent = absent
  }
}

/// A source of ledger rows. The engine reads each table once per run through this.
public protocol LedgerSource: AnyObject, Sendable {
  var schema: LedgerSchema { get }
  /// Calls `body` for every row of `table`, in file order. An absent optional table yields no
  /// rows. Cell errors found while reading are appended to `cellErrors`. The engine reads one
  /// table at a time, but not always on the same thread (a reading thread may run ahead).
  func read(table: String, _ body: (consuming LedgerRow) throws -> Void) throws
  /// Files read so far (complete once every table has been read).
  var files: [LedgerFileInfo] { get }
  var cellErrors: [CellError] { get }
  /// For a table read from several files (a profile's `files:`), the file and the file's own
  /// line of the row whose `LedgerRow.line` is `line` (rows count on across the files); nil
  /// when the table has one file (its path in `files`, the line as it is).
  func locate(table: String, line: Int) -> (file: String, line: Int)?
}

extension LedgerSource {
  public func locate(table: String, line: Int) -> (file: String, line: Int)? { nil }
}
