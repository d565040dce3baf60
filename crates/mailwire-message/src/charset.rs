//! Charset labels to text, through encoding_rs (WHATWG Encoding Standard
//! labels, which cover the IANA names mail uses).
