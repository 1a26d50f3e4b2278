//! QR codes as PNG images, for `CreateVirtualMFADevice`'s `QRCodePNG`.

use qrcode::{Color, EcLevel, QrCode};

use crate::MfaError;

/// Pixels per QR module (each side) in the PNG.
pub const QR_MODULE_PIXELS: u32 = 6;

/// Width of the white border around the code, in modules (ISO/IEC 18004's quiet zone).
pub const QR_QUIET_ZONE_MODULES: u32 = 4;

/// Renders `text` (normally an `otpauth://` URI) as a QR code, error-correction level M, and
/// encodes it as a PNG: 1-bit greyscale, black modules on white, [`QR_MODULE_PIXELS`] pixels per
/// module and a [`QR_QUIET_ZONE_MODULES`]-module white border.
///
/// A typical device URI (~150 bytes) gives a QR version 7 or so: a ~330 px square, well under
/// 1 KiB. Fails only if the text is too long for any QR code (~2.3 kB at level M).
pub fn qr_code_png(text: &str) -> Result<Vec<u8>, MfaError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| MfaError::QrCode(e.to_string()))?;
    let modules = u32::try_from(code.width()).map_err(|e| MfaError::QrCode(e.to_string()))?;
    let colors = code.to_colors();

    let side_modules = modules + 2 * QR_QUIET_ZONE_MODULES;
    let side = side_modules * QR_MODULE_PIXELS;
    let row_bytes = side.div_ceil(8) as usize;

    // 1-bit greyscale: bit 1 is white, 0 is black; rows packed MSB first.
    let mut pixels = vec![0u8; row_bytes * side as usize];
    for (y, row) in pixels.chunks_exact_mut(row_bytes).enumerate() {
        let my = (y as u32 / QR_MODULE_PIXELS).checked_sub(QR_QUIET_ZONE_MODULES);
        for x in 0..side {
            let mx = (x / QR_MODULE_PIXELS).checked_sub(QR_QUIET_ZONE_MODULES);
            let dark = match (mx, my) {
                (Some(mx), Some(my)) if mx < modules && my < modules => {
                    colors.get((my * modules + mx) as usize) == Some(&Color::Dark)
                }
                _ => false,
            };
            if !dark {
                row[(x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
    }

    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder
        .write_header()
        .map_err(|e| MfaError::Png(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| MfaError::Png(e.to_string()))?;
    writer.finish().map_err(|e| MfaError::Png(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;

    /// Decodes a PNG to 8-bit greyscale, returning (width, height, pixels).
    fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.bit_depth, png::BitDepth::One);
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        assert_eq!(frame.color_type, png::ColorType::Grayscale);
        assert_eq!(frame.bit_depth, png::BitDepth::Eight);
        buf.truncate(frame.buffer_size());
        (frame.width, frame.height, buf)
    }

    #[test]
    fn png_is_a_square_qr_that_decodes_back_to_the_uri() {
        let seed = Seed::generate().unwrap();
        let uri = seed.aws_otpauth_uri("alice-phone", "123456789012");
        let png_bytes = qr_code_png(&uri).unwrap();
        assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");

        let (w, h, pixels) = decode_png(&png_bytes);
        assert_eq!(w, h);
        assert_eq!(w % QR_MODULE_PIXELS, 0);
        let modules = w / QR_MODULE_PIXELS - 2 * QR_QUIET_ZONE_MODULES;
        assert_eq!(
            (modules - 17) % 4,
            0,
            "QR sides are 17 + 4 × version modules"
        );
        assert!(pixels.iter().all(|&p| p == 0 || p == 255));
        // Quiet zone is white; the top-left finder pattern's corner is black.
        assert_eq!(pixels[0], 255);
        let corner = QR_QUIET_ZONE_MODULES * QR_MODULE_PIXELS;
        assert_eq!(pixels[(corner * w + corner) as usize], 0);

        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                pixels[y * w as usize + x]
            });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, decoded) = grids[0].decode().unwrap();
        assert_eq!(decoded, uri);
    }

    #[test]
    fn text_too_long_for_a_qr_code_is_an_error() {
        let long = "x".repeat(10_000);
        assert!(matches!(qr_code_png(&long), Err(MfaError::QrCode(_))));
    }
}
