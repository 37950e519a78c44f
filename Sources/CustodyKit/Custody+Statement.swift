import CustodyReports

extension Custody {
  /// The mass-balance statement of `ledger` under `standard` (what `custody statement`
  /// prints): the same run as `validate`, so the statement is the one in the report.
  public func statement(standard: String, ledger: String, profile: String? = nil)
    throws(Failure) -> Run
  {
    try validate(standard: standard, ledger: ledger, profile: profile)
  }
}
