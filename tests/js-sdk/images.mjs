// PNG images made here and the size of a PNG or JPEG read from its header, shared by the js-sdk
// scripts that upload images and check thumbnails (media.mjs, federation.mjs).

import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t[n] = c >>> 0;
    }
    return t;
})();

function crc32(buf) {
    let c = 0xffffffff;
    for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "latin1");
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG (8-bit RGB) whose IHDR says width x height, with the given zlib-compressed IDAT payload. */
export function pngFile(width, height, idat) {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // colour type: truecolour (RGB)
    ihdr[10] = 0; // compression
    ihdr[11] = 0; // filter
    ihdr[12] = 0; // interlace: none
    return Buffer.concat([PNG_SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", idat), pngChunk("IEND", Buffer.alloc(0))]);
}

/** A valid width x height RGB PNG with a colourful gradient (so crops and scales differ). */
export function gradientPng(width, height) {
    const stride = 1 + width * 3;
    const raw = Buffer.alloc(stride * height);
    for (let y = 0; y < height; y++) {
        raw[y * stride] = 0; // filter type None
        for (let x = 0; x < width; x++) {
            const o = y * stride + 1 + x * 3;
            raw[o] = Math.floor((x * 255) / (width - 1));
            raw[o + 1] = Math.floor((y * 255) / (height - 1));
            raw[o + 2] = (x ^ y) & 0xff;
        }
    }
    return pngFile(width, height, deflateSync(raw));
}

// --- image header parsing --------------------------------------------------------

/** { format, width, height } from a PNG IHDR or a JPEG SOFn marker, or null. */
export function imageSize(buf) {
    if (buf.length >= 24 && buf.subarray(0, 8).equals(PNG_SIGNATURE) && buf.toString("latin1", 12, 16) === "IHDR") {
        return { format: "png", width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
    }
    if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) {
        let i = 2;
        while (i + 4 <= buf.length) {
            if (buf[i] !== 0xff) return null;
            const marker = buf[i + 1];
            if (marker === 0xff) {
                i++; // fill byte
                continue;
            }
            if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
                i += 2; // standalone markers
                continue;
            }
            const len = buf.readUInt16BE(i + 2);
            const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
            if (isSof && i + 9 <= buf.length) {
                return { format: "jpeg", height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
            }
            i += 2 + len;
        }
    }
    return null;
}
