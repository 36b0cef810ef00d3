//! The nom parser. `lexical` (trivia, tokens, errors) → `literal` → `expr` (precedence
//! ladder) → `operators` (one module per operator family) → `statement` (scripts).

pub mod expr;
pub mod lexical;
pub mod literal;
pub mod operators;
pub mod statement;
