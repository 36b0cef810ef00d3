//! Unit tests of the chart model and writers.
