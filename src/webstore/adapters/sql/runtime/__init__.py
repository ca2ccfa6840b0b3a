"""The fast runtime under the unit of work: driver-level statements, read transactions,
group commit, deadlines and outage detection. Only the SQL adapters import it."""
