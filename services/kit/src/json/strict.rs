//! Structs only from JSON objects.
//!
//! serde's derived `Deserialize` for a struct also implements `visit_seq`, so
//! `["a@b.fr", "admin"]` parses wherever `{"email": …, "role": …}` is
//! expected. [`Strict`] wraps a deserializer so that a struct, and a struct
//! variant of an enum, is read only from a map (a JSON object), at any depth:
//!
//! - `deserialize_struct` asks the inner deserializer for a map;
//! - every visitor, `SeqAccess`, `MapAccess`, `EnumAccess`, `VariantAccess`
//!   and `DeserializeSeed` it hands on is wrapped, so nested values go through
//!   [`Strict`] too;
//! - a struct variant refuses a sequence.
//!
//! Everything else (sequences for `Vec` and tuples, maps, enums, options,
//! newtypes, numbers, strings, `serde_json::Value`) is forwarded untouched.
//! Compose it inside `serde_path_to_error` so errors keep their field path:
//! `serde_path_to_error::deserialize(Strict(&mut json))`.
//!
//! Limit: `#[serde(flatten)]`, `untagged` and internally tagged (`tag = "…"`)
//! types first buffer their input through `deserialize_any` and then read the
//! buffered copy with serde's own deserializer, so a struct *inside* them is
//! not strict (they parse exactly as without [`Strict`]). The request types of
//! `qmi-api` use none of these.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

/// A deserializer reading structs only from maps, at any depth.
pub struct Strict<D>(pub D);

/// A visitor whose nested values are strict; `object_only` refuses a sequence
/// (for a struct or a struct variant).
struct Visit<V> {
    inner: V,
    object_only: bool,
}

impl<V> Visit<V> {
    fn any(inner: V) -> Self {
        Visit {
            inner,
            object_only: false,
        }
    }

    fn object(inner: V) -> Self {
        Visit {
            inner,
            object_only: true,
        }
    }
}

/// A `DeserializeSeed`, `SeqAccess`, `MapAccess`, `EnumAccess` or
/// `VariantAccess` whose nested values are strict.
struct Wrap<X>(X);

/// Forwards `deserialize_*` methods to the inner deserializer, the visitor wrapped.
macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* Visit::any(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    /// The one change: a struct is read as a map, so an array is refused
    /// (`invalid type: sequence, expected struct …`); the visitor refuses a
    /// sequence too, should a format offer one for a map.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Visit::object(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Forwards `visit_*` methods of plain values to the inner visitor.
macro_rules! forward_visit {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<E: de::Error>(self, $($arg: $ty),*) -> Result<V::Value, E> {
            self.inner.$method($($arg),*)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Visit<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(v: bool);
        visit_i8(v: i8);
        visit_i16(v: i16);
        visit_i32(v: i32);
        visit_i64(v: i64);
        visit_i128(v: i128);
        visit_u8(v: u8);
        visit_u16(v: u16);
        visit_u32(v: u32);
        visit_u64(v: u64);
        visit_u128(v: u128);
        visit_f32(v: f32);
        visit_f64(v: f64);
        visit_char(v: char);
        visit_str(v: &str);
        visit_borrowed_str(v: &'de str);
        visit_string(v: String);
        visit_bytes(v: &[u8]);
        visit_borrowed_bytes(v: &'de [u8]);
        visit_byte_buf(v: Vec<u8>);
        visit_none();
        visit_unit();
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Strict(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Strict(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.object_only {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        self.inner.visit_seq(Wrap(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(Wrap(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Wrap(data))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Wrap(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Wrap(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<A> {
    type Error = A::Error;
    type Variant = Wrap<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Wrap<A::Variant>), A::Error> {
        let (value, variant) = self.0.variant_seed(Wrap(seed))?;
        Ok((value, Wrap(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Wrap(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Visit::any(visitor))
    }

    /// A struct variant, like a struct, only from a map.
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Visit::object(visitor))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Inner {
        a: u8,
        #[serde(default)]
        b: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Kind {
        Unit,
        Newtype(Inner),
        Tuple(u8, String),
        Struct { x: i64, y: Option<Inner> },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Id(String);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Wrapper(Inner);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Pair(u8, u8);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        id: Id,
        list: Vec<u32>,
        tuple: (u8, String),
        pair: Pair,
        inners: Vec<Inner>,
        maybe: Option<Inner>,
        by_key: BTreeMap<String, Inner>,
        kinds: Vec<Kind>,
        value: Value,
        float: f64,
        big: u128,
        neg: i64,
        text: String,
        flag: bool,
        #[serde(default)]
        defaulted: Vec<Inner>,
        #[serde(default)]
        absent: Option<Kind>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Untagged {
        Obj(Inner),
        Num(u8),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Tagged {
        Circle { r: f64 },
        Square(Inner),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "t", content = "c")]
    enum Adjacent {
        One(Inner),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Flat {
        name: String,
        #[serde(flatten)]
        inner: Inner,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
    }

    /// Through [`Strict`].
    fn strict<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = T::deserialize(Strict(&mut de))?;
        de.end()?;
        Ok(value)
    }

    /// Parses `text` as `T` through [`Strict`] and plainly: both succeed, equal.
    fn same<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> T {
        let plain: T = serde_json::from_str(text).unwrap();
        let through: T = strict(text).unwrap();
        assert_eq!(through, plain, "{text}");
        through
    }

    /// Plain serde takes `text` as `T`; [`Strict`] refuses it, saying `expected`.
    fn refused<T: DeserializeOwned + Debug>(text: &str, expected: &str) {
        assert!(
            serde_json::from_str::<T>(text).is_ok(),
            "plain serde refuses {text}"
        );
        let err = strict::<T>(text).unwrap_err().to_string();
        assert!(err.contains(expected), "{text}: {err}");
    }

    #[test]
    fn everything_but_structs_from_arrays_parses_as_before() {
        let outer: Outer = same(
            r#"{
                "id": "x1",
                "list": [1, 2, 3],
                "tuple": [7, "seven"],
                "pair": [1, 2],
                "inners": [{ "a": 1 }, { "a": 2, "b": "two" }],
                "maybe": { "a": 3 },
                "by_key": { "k": { "a": 4 } },
                "kinds": ["Unit", { "Newtype": { "a": 5 } }, { "Tuple": [6, "six"] }, { "Struct": { "x": -7, "y": null } }],
                "value": [[1, { "deep": [true, null] }], "s", 1.5],
                "float": 2.5e-3,
                "big": 340282366920938463463374607431768211455,
                "neg": -9007199254740993,
                "text": "\u00e9\ud83d\ude00\n\"",
                "flag": true
            }"#,
        );
        assert_eq!(outer.defaulted, vec![]);
        assert_eq!(outer.absent, None);
        same::<Outer>(
            r#"{"id":"","list":[],"tuple":[0,""],"pair":[0,0],"inners":[],"maybe":null,"by_key":{},"kinds":[],"value":null,"float":0,"big":0,"neg":0,"text":"","flag":false,"absent":"Unit"}"#,
        );
        same::<Value>(r#"[{"a":[1,2]},[],{}]"#);
        same::<Vec<Inner>>(r#"[{"a":1},{"a":2}]"#);
        same::<Option<Inner>>("null");
        same::<Wrapper>(r#"{"a":1}"#);
        same::<(u8, Inner)>(r#"[1,{"a":2}]"#);
        same::<f64>("1e300");
        same::<String>(r#""\u00e9""#);
        same::<Kind>(r#""Unit""#);
    }

    #[test]
    fn tagged_untagged_and_flattened_types_parse_as_before() {
        same::<Untagged>(r#"{"a":1}"#);
        same::<Untagged>("3");
        // The documented limit: what untagged/internally tagged types buffer is not strict.
        same::<Untagged>("[1]");
        same::<Tagged>(r#"["square", 1]"#);
        same::<Tagged>(r#"{"type":"circle","r":1.5}"#);
        same::<Tagged>(r#"{"type":"square","a":1}"#);
        same::<Adjacent>(r#"{"t":"One","c":{"a":1}}"#);
        let flat: Flat = same(r#"{"name":"n","a":1,"b":"x","extra":[1]}"#);
        assert_eq!(
            flat.rest,
            BTreeMap::from([("extra".to_owned(), json!([1]))])
        );
    }

    #[test]
    fn borrowed_strings_still_borrow() {
        #[derive(Deserialize)]
        struct Borrowing<'a> {
            name: &'a str,
        }
        let mut de = serde_json::Deserializer::from_str(r#"{"name":"plain"}"#);
        let b = Borrowing::deserialize(Strict(&mut de)).unwrap();
        assert_eq!(b.name, "plain");
    }

    #[test]
    fn a_struct_is_read_only_from_an_object() {
        refused::<Inner>(
            r#"[1, "b"]"#,
            "invalid type: sequence, expected struct Inner",
        );
        refused::<Vec<Inner>>(r#"[{"a":1},[2]]"#, "expected struct Inner");
        refused::<Option<Inner>>("[1]", "expected struct Inner");
        refused::<BTreeMap<String, Inner>>(r#"{"k":[1]}"#, "expected struct Inner");
        refused::<(u8, Inner)>("[1,[2]]", "expected struct Inner");
        refused::<Wrapper>("[1]", "expected struct Inner");
        refused::<Kind>(r#"{"Newtype":[1]}"#, "expected struct Inner");
        refused::<Kind>(
            r#"{"Struct":[1,null]}"#,
            "invalid type: sequence, expected struct variant Kind::Struct",
        );
        refused::<Kind>(r#"{"Struct":{"x":1,"y":[2]}}"#, "expected struct Inner");
        refused::<Adjacent>(r#"{"t":"One","c":[1]}"#, "expected struct Inner");
    }
}
