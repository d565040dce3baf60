//! AVX2 base64 decoding of whole 32-character blocks, the hot loop of
//! [`Base64Decoder`](super::Base64Decoder) on x86-64.
//!
//! Each step loads 32 characters, checks them all against the alphabet with
//! two nibble-indexed table lookups, translates them to 6-bit values with a
//! third, packs the values into 24 bytes with two multiply-adds and a
//! shuffle, and stores 32 bytes (the last 8 are scratch, overwritten later
//! or cut off by the caller). A block holding anything outside the alphabet
//! (a line break, padding, junk) stops the loop untouched: the portable code
//! takes it from there, so the results are the same with or without AVX2.
//! The technique is the vectorised lookup of Wojciech Muła and Daniel
//! Lemire, "Faster Base64 Encoding and Decoding Using AVX2 Instructions"
//! (ACM TOW 2018).
#![allow(unsafe_code)] // SIMD intrinsics; every block is commented.

/// Decodes 32-character blocks of `input` from `i` into `out` from `o`
/// while a whole block is alphabet characters and `out` has 32 bytes of
/// room; returns the new `(i, o)`. Does nothing without AVX2.
#[cfg(target_arch = "x86_64")]
pub(super) fn decode_blocks(input: &[u8], i: usize, out: &mut [u8], o: usize) -> (usize, usize) {
    if input.len().saturating_sub(i) < 4 || !std::is_x86_feature_detected!("avx2") {
        return (i, o);
    }
    // SAFETY: the CPU supports AVX2, checked just above.
    unsafe { decode_blocks_avx2(input, i, out, o) }
}

/// Without x86-64 there is no vector path; the portable loop does it all.
#[cfg(not(target_arch = "x86_64"))]
pub(super) fn decode_blocks(_input: &[u8], i: usize, _out: &mut [u8], o: usize) -> (usize, usize) {
    (i, o)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn decode_blocks_avx2(input: &[u8], mut i: usize, out: &mut [u8], mut o: usize) -> (usize, usize) {
    let start = i;
    while let (Some(src), Some(dst)) = (
        input.get(i..).and_then(<[u8]>::first_chunk::<32>),
        out.get_mut(o..).and_then(<[u8]>::first_chunk_mut::<32>),
    ) {
        if !decode_block(src, dst) {
            break; // something outside the alphabet: the portable code decides
        }
        i += 32;
        o += 24;
    }
    // A short tail of whole groups (the last 12 characters of a 76-character
    // MIME line, say): decode the 32 characters that end with it, the first
    // of which this call already decoded, so their bytes are rewritten as
    // they were.
    let rest = input.len() - i;
    if (4..32).contains(&rest) {
        let tail = rest / 4 * 4;
        let back = 32 - tail;
        if i - start >= back {
            let (from, out_from) = (i - back, o - back / 4 * 3);
            if let (Some(src), Some(dst)) = (
                input.get(from..).and_then(<[u8]>::first_chunk::<32>),
                out.get_mut(out_from..)
                    .and_then(<[u8]>::first_chunk_mut::<32>),
            ) && decode_block(src, dst)
            {
                i += tail;
                o += tail / 4 * 3;
            }
        }
    }
    (i, o)
}

/// Decodes one block of 32 characters into 24 bytes (and 8 of scratch);
/// `false`, with `dst` untouched, when a character is not in the alphabet.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn decode_block(src: &[u8; 32], dst: &mut [u8; 32]) -> bool {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256,
        _mm256_madd_epi16, _mm256_maddubs_epi16, _mm256_permutevar8x32_epi32, _mm256_set1_epi8,
        _mm256_set1_epi32, _mm256_setr_epi8, _mm256_setr_epi32, _mm256_shuffle_epi8,
        _mm256_srli_epi32, _mm256_storeu_si256, _mm256_testz_si256,
    };

    // Per low nibble, a bit for each high nibble (row) where the character
    // is NOT in the alphabet; bit 0x10 marks rows with no valid character.
    #[rustfmt::skip]
    let lut_lo = _mm256_setr_epi8(
        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,
        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,
    );
    // Per high nibble, the row bit tested against `lut_lo`.
    #[rustfmt::skip]
    let lut_hi = _mm256_setr_epi8(
        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
    );
    // Per high nibble (minus one for '/'), what to add to the character to
    // get its 6-bit value: '/' +16, '+' +19, digits +4, A-Z -65, a-z -71.
    #[rustfmt::skip]
    let lut_roll = _mm256_setr_epi8(
        0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
    );
    // 0x2F is '/', and as a mask it keeps the nibble that `pshufb` reads
    // while clearing bit 7 (which would zero the lookup).
    let mask_2f = _mm256_set1_epi8(0x2f);
    // Bytes 2,1,0 of each 32-bit word hold one group's 3 output bytes in
    // reverse; gather them in order into the low 12 bytes of each lane.
    #[rustfmt::skip]
    let pack_shuffle = _mm256_setr_epi8(
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
    );
    // Then the two lanes' 12 bytes next to each other.
    let pack_lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);

    // SAFETY: `src` is 32 readable bytes; loadu has no alignment need.
    let chars = unsafe { _mm256_loadu_si256(src.as_ptr().cast::<__m256i>()) };
    let hi_nibbles = _mm256_and_si256(_mm256_srli_epi32::<4>(chars), mask_2f);
    let lo_nibbles = _mm256_and_si256(chars, mask_2f);
    let lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
    let hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
    if _mm256_testz_si256(lo, hi) == 0 {
        return false;
    }
    let is_slash = _mm256_cmpeq_epi8(chars, mask_2f);
    let roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(is_slash, hi_nibbles));
    let values = _mm256_add_epi8(chars, roll);
    // [a b c d] 6-bit values -> (a << 6 | b), (c << 6 | d) in 16 bits
    // -> (a << 18 | b << 12 | c << 6 | d) in 32 bits.
    let pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x0140_0140));
    let groups = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x0001_1000));
    let bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(groups, pack_shuffle), pack_lanes);
    // SAFETY: `dst` is 32 writable bytes; storeu has no alignment need.
    unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast::<__m256i>(), bytes) };
    true
}
