//! Text from report attachments: .docx (its XML, via zip + quick-xml), .xls/.xlsx
//! (calamine), .pdf (poppler's `pdftotext` where installed, else the pure-Rust
//! `pdf-extract`), legacy Word 97 `.doc` and WPS `.wps` (OLE2 files with a WordDocument
//! stream: Debian's `catdoc`, else `antiword`, where installed), and the Word "web page"
//! saved as `.doc` (HTML). A file is judged by its bytes, not its extension: an HTML error
//! page served as `.pdf` is refused as such.
//!
//! Attachments are untrusted files: every extractor runs on its own thread under
//! `catch_unwind` with a timeout (and `pdftotext` as a child process that is killed on
//! timeout), so a panic or a hang in a parser costs one attachment, never the crawl. A
//! thread that hangs is abandoned (it cannot be killed); the crawl goes on without it.

use std::io::{Cursor, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Decompressed XML larger than this is refused (zip bombs).
const MAX_XML: u64 = 64 << 20;

/// Which kind of file the bytes are, from their magic number, falling back to the
/// extension the link gave (`ext`).
pub fn sniff(bytes: &[u8], ext: &str) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        return "pdf";
    }
    if bytes.starts_with(b"PK\x03\x04") {
        if let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) {
            if zip.index_for_name("word/document.xml").is_some() {
                return "docx";
            }
            if zip.index_for_name("xl/workbook.xml").is_some() {
                return "xlsx";
            }
        }
        return "zip";
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // OLE compound file: .doc, .wps or .xls; only the link can tell.
        return if ext == "xls" { "xls" } else { "doc" };
    }
    if looks_like_html(bytes) {
        return "html";
    }
    match ext {
        "pdf" => "pdf",
        "doc" | "wps" => "doc",
        "docx" => "docx",
        "xls" => "xls",
        "xlsx" => "xlsx",
        _ => "unknown",
    }
}

/// The text of an attachment, or why there is none.
pub fn extract_text(bytes: Vec<u8>, ext: &str, timeout: Duration) -> Result<String, String> {
    let kind = sniff(&bytes, ext);
    match kind {
        "pdf" => {
            if let Some(text) = pdftotext(&bytes, timeout)? {
                return Ok(text);
            }
            guarded(timeout, move || {
                pdf_extract::extract_text_from_mem(&bytes).map_err(|e| format!("PDF: {e}"))
            })
        }
        "docx" => guarded(timeout, move || docx_text(&bytes)),
        "xlsx" | "xls" => guarded(timeout, move || sheet_text(bytes)),
        "doc" => word97_text(&bytes, timeout),
        // Word's "web page" format is often saved with a .doc name; anything else that turns
        // out to be HTML is an error page, not the file the link promised.
        "html" if ext == "doc" => Ok(crate::html::html_to_text(&scraper::Html::parse_document(
            &crate::decode::decode(&bytes, None, None).text,
        ))),
        "html" => Err(format!(
            "not what its extension says: an HTML page where a .{ext} was linked"
        )),
        other => Err(format!("not an attachment type we read ({other})")),
    }
    .map(|t| tidy(&t))
}

/// Runs `f` on its own thread; a panic or running past `timeout` becomes an error.
pub fn guarded<F>(timeout: Duration, f: F) -> Result<String, String>
where
    F: FnOnce() -> Result<String, String> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("xxgk-attachment".into())
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
                .unwrap_or_else(|_| Err("the extractor panicked".into()));
            let _ = tx.send(result);
        })
        .map_err(|e| format!("cannot start extractor thread: {e}"))?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => Err(format!(
            "extraction took longer than {timeout:?}; abandoned"
        )),
    }
}

/// Whether the bytes start (after a BOM and blanks) like an HTML document.
fn looks_like_html(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take(64)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html") || head.starts_with(b"<head")
}

/// Word 97 / WPS text via `catdoc` (reads small files antiword refuses), else `antiword`.
fn word97_text(bytes: &[u8], timeout: Duration) -> Result<String, String> {
    // catdoc prints any bytes it does not recognise: only a whole OLE2 header goes in.
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.len() < 1024 || !bytes.starts_with(OLE2) {
        return Err("not a Word 97 / WPS file (no OLE2 header), though linked as one".into());
    }
    let tool = word97_tool().ok_or_else(|| {
        "a Word 97 / WPS file, and neither catdoc nor antiword is installed; skipped".to_string()
    })?;
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let input = dir.path().join("in.doc");
    std::fs::write(&input, bytes).map_err(|e| format!("temp file: {e}"))?;
    let args: &[&str] = if tool == "catdoc" {
        &["-d", "utf-8", "-w"]
    } else {
        &["-m", "UTF-8.txt", "-w", "0"]
    };
    let text = run_tool(tool, args, &input, timeout)?;
    if text.trim().is_empty() {
        return Err(format!(
            "{tool} found no text (a damaged or empty Word file)"
        ));
    }
    Ok(text)
}

/// The Word 97 reader on the PATH, if any.
pub fn word97_tool() -> Option<&'static str> {
    ["catdoc", "antiword"].into_iter().find(|t| {
        Command::new(t)
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
}

/// Runs `tool args input`, its stdout the text; killed after `timeout`.
fn run_tool(tool: &str, args: &[&str], input: &Path, timeout: Duration) -> Result<String, String> {
    let out_path = input.with_extension("txt");
    let out = std::fs::File::create(&out_path).map_err(|e| format!("temp file: {e}"))?;
    let mut child = Command::new(tool)
        .args(args)
        .arg(input)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{tool}: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(status)) => return Err(format!("{tool} failed ({status})")),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{tool} took longer than {timeout:?}; killed"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("{tool}: {e}")),
        }
    }
    let raw = std::fs::read(&out_path).map_err(|e| format!("{tool} output: {e}"))?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

/// Text via poppler's `pdftotext`, or `Ok(None)` when it is not installed.
fn pdftotext(bytes: &[u8], timeout: Duration) -> Result<Option<String>, String> {
    if !pdftotext_available() {
        return Ok(None);
    }
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| format!("temp file: {e}"))?;
    run_pdftotext(&input, timeout).map(Some)
}

/// Whether poppler's `pdftotext` is on the PATH.
pub fn pdftotext_available() -> bool {
    Command::new("pdftotext")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn run_pdftotext(input: &Path, timeout: Duration) -> Result<String, String> {
    let output = input.with_extension("txt");
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-q"])
        .arg(input)
        .arg(&output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("pdftotext: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(status)) => return Err(format!("pdftotext failed ({status})")),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("pdftotext took longer than {timeout:?}; killed"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("pdftotext: {e}")),
        }
    }
    std::fs::read_to_string(&output).map_err(|e| format!("pdftotext output: {e}"))
}

/// Paragraph text of a .docx: `w:t` runs, `w:tab` and table cells as tabs, `w:p` and
/// `w:br` as line breaks.
pub fn docx_text(bytes: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("docx: {e}"))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| format!("docx: {e}"))?
        .take(MAX_XML)
        .read_to_string(&mut xml)
        .map_err(|e| format!("docx: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => in_text = e.name().as_ref() == "w:t",
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                "w:tab" => out.push('\t'),
                "w:br" | "w:cr" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                out.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                // Entities (&amp; &lt; …) arrive apart from the text around them.
                match r.resolve_char_ref() {
                    Ok(Some(c)) => out.push(c),
                    _ => {
                        out.push_str(match r.as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        });
                    }
                }
            }
            Ok(Event::End(e)) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => out.push('\n'),
                "w:tc" => out.push('\t'),
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("docx XML: {e}")),
            _ => {}
        }
    }
    Ok(out)
}

/// Every sheet as lines of tab-separated cells, each sheet headed by its name.
pub fn sheet_text(bytes: Vec<u8>) -> Result<String, String> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("spreadsheet: {e}"))?;
    let mut out = String::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format!("sheet {name}: {e}"))?;
        out.push_str(&name);
        out.push('\n');
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| c.to_string().trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            if !cells.is_empty() {
                out.push_str(&cells.join("\t"));
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// Lines trimmed, blank runs dropped.
fn tidy(text: &str) -> String {
    text.lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal .docx with these paragraphs.
    pub fn make_docx(paragraphs: &[&str]) -> Vec<u8> {
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
            .collect();
        let doc = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
             <w:body>{body}</w:body></w:document>"
        );
        let mut buf = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            zip.start_file("[Content_Types].xml", opts).expect("zip");
            zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").expect("zip");
            zip.start_file("word/document.xml", opts).expect("zip");
            zip.write_all(doc.as_bytes()).expect("zip");
            zip.finish().expect("zip");
        }
        buf.into_inner()
    }

    #[test]
    fn docx_paragraphs_and_entities() {
        let bytes = make_docx(&["一、概述", "收费标准 &amp; 依申请公开", "二、主动公开情况"]);
        assert_eq!(sniff(&bytes, "bin"), "docx");
        let text = extract_text(bytes, "docx", Duration::from_secs(10)).expect("text");
        assert_eq!(text, "一、概述\n收费标准 & 依申请公开\n二、主动公开情况");
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        assert!(extract_text(
            b"PK\x03\x04garbage".to_vec(),
            "docx",
            Duration::from_secs(5)
        )
        .is_err());
        assert!(extract_text(b"%PDF-1.4 garbage".to_vec(), "pdf", Duration::from_secs(5)).is_err());
        // A truncated OLE file: an error whether or not a Word 97 reader is installed.
        assert!(extract_text(
            vec![0xD0, 0xCF, 0x11, 0xE0, 0],
            "doc",
            Duration::from_secs(5)
        )
        .is_err());
        assert!(extract_text(b"hello".to_vec(), "xlsx", Duration::from_secs(5)).is_err());
    }

    #[test]
    fn html_is_read_as_word_web_pages_and_refused_as_anything_else() {
        let html = "<html><head><meta charset=utf-8></head><body><p>一、概述</p><p>正文。</p></body></html>";
        let t = extract_text(html.as_bytes().to_vec(), "doc", Duration::from_secs(5))
            .expect("word html");
        assert_eq!(t, "一、概述\n正文。");
        let err =
            extract_text(html.as_bytes().to_vec(), "pdf", Duration::from_secs(5)).expect_err("pdf");
        assert!(err.contains("not what its extension says"), "{err}");
        assert_eq!(sniff(b"  <!DOCTYPE html><html>", "xlsx"), "html");
    }

    /// The Word 97 fixture (made with LibreOffice, see tests/fixtures/sites/README.md) read
    /// through catdoc or antiword, when one is installed.
    #[test]
    fn word97_text_when_a_reader_is_installed() {
        if word97_tool().is_none() {
            eprintln!("skipped: neither catdoc nor antiword installed");
            return;
        }
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/sites/nanping-xxgk/files/2016-2017.doc"
        );
        let bytes = std::fs::read(path).expect("fixture");
        let t = extract_text(bytes, "doc", Duration::from_secs(20)).expect("text");
        assert!(t.contains("南屏医学院2016-2017学年信息公开年度报告"), "{t}");
        assert!(t.contains("二、主动公开情况"), "{t}");
    }

    #[test]
    fn panics_and_hangs_are_contained() {
        let panicked = guarded(Duration::from_secs(5), || panic!("bad file"));
        assert_eq!(panicked, Err("the extractor panicked".to_string()));
        let hung = guarded(Duration::from_millis(100), || {
            std::thread::sleep(Duration::from_secs(3));
            Ok(String::new())
        });
        assert!(hung.expect_err("timeout").contains("abandoned"));
    }

    /// A one-page PDF whose only text is `text` (ASCII, Helvetica).
    pub fn make_pdf(text: &str) -> Vec<u8> {
        let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
            format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, obj) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn pdf_text_with_the_pure_rust_extractor() {
        let pdf = make_pdf("Annual report 2021 fees");
        let text = guarded(Duration::from_secs(20), move || {
            pdf_extract::extract_text_from_mem(&pdf).map_err(|e| e.to_string())
        })
        .expect("pdf text");
        assert!(text.contains("Annual report 2021 fees"), "{text:?}");
    }

    #[test]
    fn pdf_text_with_pdftotext_when_installed() {
        if !pdftotext_available() {
            let msg = "pdftotext (poppler-utils) is not installed";
            let required = std::env::var("XXGK_REQUIRE_EXTERNAL").is_ok_and(|v| v != "0");
            assert!(!required, "{msg}, and XXGK_REQUIRE_EXTERNAL is set");
            eprintln!("skipped: {msg}");
            return;
        }
        let text =
            extract_text(make_pdf("Disclosure 2022"), "pdf", Duration::from_secs(20)).expect("pdf");
        assert!(text.contains("Disclosure 2022"), "{text:?}");
    }
}
