//! How wide a text is drawn, without a font at hand: the advance widths of DejaVu Sans (the
//! sans-serif most Linux systems fall back to, and wider than the usual others), so that a
//! box sized from them holds its text in any of them.

/// Advance widths of printable ASCII (from space), in thousandths of the font size.
const WIDTHS: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, // ' '../
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, // 0..9
    337, 337, 838, 838, 838, 531, 1000, // :..@
    684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635,
    611, 732, 684, 989, 685, 611, 685, // A..Z
    390, 337, 390, 838, 500, 500, // [..`
    613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592, 592, 525, // a..z
    636, 337, 636, 838, // {..~
];

/// Bold text is this much wider, at most.
const BOLD: f64 = 1.12;

/// The width of `text` at `size` pixels (`bold` or regular), a little over rather than under.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let thousandths: u32 = text
        .chars()
        .map(|c| {
            let index = (c as usize).wrapping_sub(0x20);
            WIDTHS.get(index).map_or(1000, |&w| u32::from(w))
        })
        .sum();
    let scale = if bold { BOLD } else { 1.0 };
    f64::from(thousandths) / 1000.0 * size * scale * 1.04
}

#[cfg(test)]
mod tests {
    #[test]
    fn narrow_letters_are_narrower_and_bold_is_wider() {
        let narrow = super::width("iiii", 12.0, false);
        let wide = super::width("mmmm", 12.0, false);
        assert!(narrow < wide / 3.0, "{narrow} {wide}");
        assert!(super::width("open", 12.0, true) > super::width("open", 12.0, false));
        assert!(super::width("é", 10.0, false) >= 10.0);
        assert_eq!(super::width("", 12.0, true), 0.0);
    }
}
