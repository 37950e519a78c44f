// CustodyKit is the library product: one `import CustodyKit` gives a program everything the
// `custody` CLI and the service use (compile, read, evaluate, judge, report, sign, verify,
// explain, diff). The lower modules stay separate targets so dependencies point one way.
@_exported import CustodyAuthoring
@_exported import CustodyDiagnostics
@_exported import CustodyEngine
@_exported import CustodyLanguage
@_exported import CustodyLedger
@_exported import CustodyReports
@_exported import CustodyValues
