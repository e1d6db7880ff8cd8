//! Parser for the TypeScript-like type notation the docs use.
//!
//! Endpoint pages write response shapes as `{ a?: string, b?: Array<{ c?: integer }> }`;
//! the data-models page writes `export interface X { a: string; b?: Y | null; }` and
//! `export type S = | 'A' | 'B';`. The same grammar also reads the types written in
//! `spec/facts.toml`. The export strips anything that looks like an HTML tag, so generic
//! arguments of `Record<…>` or `ApiResponse<T>` may be missing: a bare `Record` is a map
//! of unknown values.

use std::fmt;

/// A parsed type.
#[derive(Debug, Clone, PartialEq)]
pub enum TsType {
    String,
    Number,
    Integer,
    Boolean,
    Null,
    /// `unknown` / `any`: any JSON value.
    Unknown,
    /// `object`: a JSON object with unspecified members.
    Object,
    /// `{ }`: the endpoint pages' rendering of a value whose schema the generator lost.
    Empty,
    /// A string literal (`'QUEUED'`).
    Literal(String),
    /// `Array<T>`, `T[]`, or a bare `Array` (items unknown).
    Array(Option<Box<TsType>>),
    /// `Record<K, V>`, or a bare `Record` (values unknown).
    Record(Option<Box<TsType>>),
    /// A named type (interface or alias).
    Named(String),
    /// An inline object type.
    Struct(Vec<TsField>),
    /// `A | B | null`.
    Union(Vec<TsType>),
}

/// One member of an object type. Equality ignores where it was written.
#[derive(Debug, Clone)]
pub struct TsField {
    pub name: String,
    pub optional: bool,
    pub ty: TsType,
}

impl PartialEq for TsField {
    fn eq(&self, other: &TsField) -> bool {
        self.name == other.name && self.optional == other.optional && self.ty == other.ty
    }
}

/// A named declaration from an interface block.
#[derive(Debug, Clone, PartialEq)]
pub struct TsDecl {
    pub name: String,
    pub ty: TsType,
    pub offset: usize,
}

/// A syntax error at a byte offset of the parsed text.
#[derive(Debug, Clone, PartialEq)]
pub struct TsError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for TsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl TsType {
    /// Removes `null` from a union; returns the rest and whether `null` was there.
    pub fn strip_null(&self) -> (TsType, bool) {
        match self {
            TsType::Union(members) => {
                let nullable = members.contains(&TsType::Null);
                let rest: Vec<TsType> = members
                    .iter()
                    .filter(|m| **m != TsType::Null)
                    .cloned()
                    .collect();
                let ty = match rest.len() {
                    1 => rest.into_iter().next().unwrap_or(TsType::Unknown),
                    _ => TsType::Union(rest),
                };
                (ty, nullable)
            }
            TsType::Null => (TsType::Unknown, true),
            other => (other.clone(), false),
        }
    }

    /// The string literals of a union of literals, if it is one.
    pub fn literals(&self) -> Option<Vec<String>> {
        match self {
            TsType::Literal(s) => Some(vec![s.clone()]),
            TsType::Union(members) => members
                .iter()
                .map(|m| match m {
                    TsType::Literal(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }
}

impl fmt::Display for TsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TsType::String => f.write_str("string"),
            TsType::Number => f.write_str("number"),
            TsType::Integer => f.write_str("integer"),
            TsType::Boolean => f.write_str("boolean"),
            TsType::Null => f.write_str("null"),
            TsType::Unknown => f.write_str("unknown"),
            TsType::Object => f.write_str("object"),
            TsType::Empty => f.write_str("{ }"),
            TsType::Literal(s) => write!(f, "'{s}'"),
            TsType::Array(None) => f.write_str("Array"),
            TsType::Array(Some(t)) => write!(f, "Array<{t}>"),
            TsType::Record(None) => f.write_str("Record"),
            TsType::Record(Some(t)) => write!(f, "Record<string, {t}>"),
            TsType::Named(n) => f.write_str(n),
            TsType::Struct(fields) => {
                f.write_str("{ ")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    let q = if field.optional { "?" } else { "" };
                    write!(f, "{}{q}: {}", field.name, field.ty)?;
                }
                f.write_str(" }")
            }
            TsType::Union(members) => {
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{m}")?;
                }
                Ok(())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

struct Lexer<'a> {
    text: &'a str,
    tokens: Vec<(Tok, usize)>,
    pos: usize,
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, TsError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '_' || d == '$' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push((Tok::Ident(text[i..end].to_string()), i));
        } else if c == '\'' || c == '"' {
            chars.next();
            let mut value = String::new();
            let mut closed = false;
            for (_, d) in chars.by_ref() {
                if d == c {
                    closed = true;
                    break;
                }
                value.push(d);
            }
            if !closed {
                return Err(TsError {
                    offset: i,
                    message: "unterminated string literal".into(),
                });
            }
            tokens.push((Tok::Str(value), i));
        } else if "{}<>[]?:;,|=()".contains(c) {
            tokens.push((Tok::Punct(c), i));
            chars.next();
        } else {
            return Err(TsError {
                offset: i,
                message: format!("unexpected character `{c}` in type"),
            });
        }
    }
    Ok(tokens)
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Result<Lexer<'a>, TsError> {
        Ok(Lexer {
            text,
            tokens: lex(text)?,
            pos: 0,
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map_or(self.text.len(), |(_, o)| *o)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        t
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), TsError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{c}`")))
        }
    }

    fn error(&self, message: String) -> TsError {
        let found = match self.peek() {
            None => "end of text".to_string(),
            Some(Tok::Ident(s)) => format!("`{s}`"),
            Some(Tok::Str(s)) => format!("'{s}'"),
            Some(Tok::Punct(c)) => format!("`{c}`"),
        };
        TsError {
            offset: self.offset(),
            message: format!("{message}, found {found}"),
        }
    }

    /// type := ['|'] postfix ('|' postfix)*
    fn ty(&mut self, allow_named: bool) -> Result<TsType, TsError> {
        self.eat('|');
        let mut members = vec![self.postfix(allow_named)?];
        while self.eat('|') {
            members.push(self.postfix(allow_named)?);
        }
        Ok(if members.len() == 1 {
            members.remove(0)
        } else {
            TsType::Union(members)
        })
    }

    fn postfix(&mut self, allow_named: bool) -> Result<TsType, TsError> {
        let mut ty = self.primary(allow_named)?;
        while self.peek() == Some(&Tok::Punct('[')) {
            self.pos += 1;
            self.expect(']')?;
            ty = TsType::Array(Some(Box::new(ty)));
        }
        Ok(ty)
    }

    fn primary(&mut self, allow_named: bool) -> Result<TsType, TsError> {
        let start = self.offset();
        match self.next() {
            Some(Tok::Punct('{')) => self.object_body(allow_named),
            Some(Tok::Punct('(')) => {
                let t = self.ty(allow_named)?;
                self.expect(')')?;
                Ok(t)
            }
            Some(Tok::Str(s)) => Ok(TsType::Literal(s)),
            Some(Tok::Ident(name)) => match name.as_str() {
                "string" => Ok(TsType::String),
                "number" => Ok(TsType::Number),
                "integer" => Ok(TsType::Integer),
                "boolean" => Ok(TsType::Boolean),
                "null" => Ok(TsType::Null),
                "unknown" | "any" => Ok(TsType::Unknown),
                "object" => Ok(TsType::Object),
                "Array" => {
                    if self.eat('<') {
                        let item = self.ty(allow_named)?;
                        self.expect('>')?;
                        Ok(TsType::Array(Some(Box::new(item))))
                    } else {
                        Ok(TsType::Array(None))
                    }
                }
                "Record" => {
                    if self.eat('<') {
                        let key = self.ty(allow_named)?;
                        if key != TsType::String {
                            return Err(TsError {
                                offset: start,
                                message: format!("Record keys must be `string`, not `{key}`"),
                            });
                        }
                        self.expect(',')?;
                        let value = self.ty(allow_named)?;
                        self.expect('>')?;
                        Ok(TsType::Record(Some(Box::new(value))))
                    } else {
                        Ok(TsType::Record(None))
                    }
                }
                _ if allow_named => {
                    // Generic arguments of named types carry no information here.
                    if self.eat('<') {
                        self.ty(allow_named)?;
                        self.expect('>')?;
                    }
                    Ok(TsType::Named(name))
                }
                _ => Err(TsError {
                    offset: start,
                    message: format!("unknown type `{name}`"),
                }),
            },
            Some(Tok::Punct(c)) => Err(TsError {
                offset: start,
                message: format!("expected a type, found `{c}`"),
            }),
            None => Err(TsError {
                offset: start,
                message: "expected a type, found end of text".into(),
            }),
        }
    }

    /// After `{`: `}` or members separated by `,` or `;`.
    fn object_body(&mut self, allow_named: bool) -> Result<TsType, TsError> {
        if self.eat('}') {
            return Ok(TsType::Empty);
        }
        let mut fields = Vec::new();
        loop {
            let offset = self.offset();
            let name = match self.next() {
                Some(Tok::Ident(n)) | Some(Tok::Str(n)) => n,
                _ => {
                    self.pos = self.pos.saturating_sub(1);
                    return Err(self.error("expected a member name".into()));
                }
            };
            let optional = self.eat('?');
            self.expect(':')?;
            let ty = self.ty(allow_named)?;
            if fields.iter().any(|f: &TsField| f.name == name) {
                return Err(TsError {
                    offset,
                    message: format!("member `{name}` appears twice"),
                });
            }
            fields.push(TsField { name, optional, ty });
            let sep = self.eat(',') || self.eat(';');
            if self.eat('}') {
                return Ok(TsType::Struct(fields));
            }
            if !sep {
                return Err(self.error("expected `,`, `;` or `}` after a member".into()));
            }
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }
}

/// Parses an endpoint page's response shape. Named types are not allowed there.
pub fn parse_shape(text: &str) -> Result<TsType, TsError> {
    let mut lx = Lexer::new(text)?;
    let ty = lx.ty(false)?;
    if !lx.at_end() {
        return Err(lx.error("unexpected text after the type".into()));
    }
    Ok(ty)
}

/// Parses a type written in the facts file; named types refer to components.
pub fn parse_type(text: &str) -> Result<TsType, TsError> {
    let mut lx = Lexer::new(text)?;
    let ty = lx.ty(true)?;
    if !lx.at_end() {
        return Err(lx.error("unexpected text after the type".into()));
    }
    Ok(ty)
}

/// Parses a TypeScript block of `export interface` / `export type` declarations.
pub fn parse_declarations(text: &str) -> Result<Vec<TsDecl>, TsError> {
    let mut lx = Lexer::new(text)?;
    let mut decls = Vec::new();
    while !lx.at_end() {
        if lx.peek() == Some(&Tok::Ident("export".into())) {
            lx.pos += 1;
        }
        let offset = lx.offset();
        match lx.next() {
            Some(Tok::Ident(kw)) if kw == "interface" => {
                let name = match lx.next() {
                    Some(Tok::Ident(n)) => n,
                    _ => return Err(lx.error("expected an interface name".into())),
                };
                if lx.eat('<') {
                    lx.ty(true)?;
                    lx.expect('>')?;
                }
                lx.expect('{')?;
                let ty = lx.object_body(true)?;
                decls.push(TsDecl { name, ty, offset });
            }
            Some(Tok::Ident(kw)) if kw == "type" => {
                let name = match lx.next() {
                    Some(Tok::Ident(n)) => n,
                    _ => return Err(lx.error("expected a type name".into())),
                };
                lx.expect('=')?;
                let ty = lx.ty(true)?;
                lx.eat(';');
                decls.push(TsDecl { name, ty, offset });
            }
            _ => {
                lx.pos = lx.pos.saturating_sub(1);
                return Err(lx.error("expected `interface` or `type`".into()));
            }
        }
    }
    Ok(decls)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(ty: &'a TsType, name: &str) -> &'a TsField {
        match ty {
            TsType::Struct(fields) => fields.iter().find(|f| f.name == name).expect("field"),
            other => panic!("not a struct: {other}"),
        }
    }

    #[test]
    fn endpoint_shape_with_nested_arrays() {
        let t = parse_shape(
            "{ success?: boolean, data?: { items?: Array<{ id?: string, n?: integer }>, \
             raw?: Array, any?: unknown, lost?: { }, free?: object }, meta?: unknown }",
        )
        .expect("parses");
        let data = &field(&t, "data").ty;
        assert!(field(&t, "success").optional);
        match &field(data, "items").ty {
            TsType::Array(Some(item)) => {
                assert_eq!(field(item, "n").ty, TsType::Integer);
            }
            other => panic!("{other}"),
        }
        assert_eq!(field(data, "raw").ty, TsType::Array(None));
        assert_eq!(field(data, "any").ty, TsType::Unknown);
        assert_eq!(field(data, "lost").ty, TsType::Empty);
        assert_eq!(field(data, "free").ty, TsType::Object);
    }

    #[test]
    fn bare_keywords() {
        assert_eq!(parse_shape("object").expect("parses"), TsType::Object);
        assert_eq!(parse_shape("unknown").expect("parses"), TsType::Unknown);
    }

    #[test]
    fn unknown_type_name_in_a_shape_is_an_error_with_offset() {
        let err = parse_shape("{ a?: string, b?: Map }").expect_err("must fail");
        assert_eq!(err.offset, 18);
        assert!(
            err.message.contains("unknown type `Map`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn truncated_shape_is_an_error() {
        let err = parse_shape("{ a?: string, b?: { c?: integer ").expect_err("must fail");
        assert!(err.message.contains("end of text"), "{}", err.message);
    }

    #[test]
    fn missing_separator_is_an_error() {
        let err = parse_shape("{ a?: string b?: string }").expect_err("must fail");
        assert!(err.message.contains("after a member"), "{}", err.message);
    }

    #[test]
    fn unexpected_character_is_an_error() {
        let err = parse_shape("{ a?: string# }").expect_err("must fail");
        assert_eq!(err.offset, 12);
    }

    #[test]
    fn duplicate_member_is_an_error() {
        assert!(parse_shape("{ a?: string, a?: integer }").is_err());
    }

    #[test]
    fn interfaces_and_aliases() {
        let decls = parse_declarations(
            "export interface Msg { id: string; to: string[]; t: { id?: string; p?: Record; }; \
             s: MessageStatus; n: number | null; } \
             export type MessageStatus = | 'QUEUED' | 'SENT';",
        )
        .expect("parses");
        assert_eq!(decls.len(), 2);
        let msg = &decls[0].ty;
        assert_eq!(
            field(msg, "to").ty,
            TsType::Array(Some(Box::new(TsType::String)))
        );
        assert_eq!(field(msg, "s").ty, TsType::Named("MessageStatus".into()));
        let (n, nullable) = field(msg, "n").ty.strip_null();
        assert_eq!(n, TsType::Number);
        assert!(nullable);
        assert_eq!(
            decls[1].ty.literals(),
            Some(vec!["QUEUED".to_string(), "SENT".to_string()])
        );
    }

    #[test]
    fn facts_types() {
        assert_eq!(
            parse_type("Record<string, string>").expect("parses"),
            TsType::Record(Some(Box::new(TsType::String)))
        );
        assert_eq!(
            parse_type("Array<Channel>").expect("parses"),
            TsType::Array(Some(Box::new(TsType::Named("Channel".into()))))
        );
        assert!(parse_type("Record<integer, string>").is_err());
    }

    #[test]
    fn display_round_trips() {
        let src = "{ a?: string, b: Array<{ c?: integer }> }";
        let t = parse_shape(src).expect("parses");
        assert_eq!(parse_shape(&t.to_string()).expect("reparses"), t);
    }
}
