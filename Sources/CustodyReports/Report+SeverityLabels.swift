extension Report {
  /// A severity level as shown in clause tables and non-conformity lists: the level, then the
  /// standard's own name for it when it gives one (Copper Mark: `major (does not meet)`). The
  /// level stays first, so a conformant clause's column still reads as the grade a finding
  /// would have. Display only: verdicts, `--fail-on` and the JSON `severity` fields keep the
  /// level (the JSON adds `standard.severity_labels`).
  public func severityName(_ level: String) -> String {
    guard let label = standard.severityLabels?[level] else { return level }
    return "\(level) (\(label))"
  }

  /// The same for a typed level.
  public func severityName<Level: RawRepresentable>(_ level: Level) -> String
  where Level.RawValue == String {
    severityName(level.rawValue)
  }
}
