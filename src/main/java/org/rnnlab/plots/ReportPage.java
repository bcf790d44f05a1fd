package org.rnnlab.plots;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.report.ResultsTable;

/**
 * The page {@code rnnlab all} ends with, {@code models/index.html}: the results table and every
 * task's pictures with their captions. It stands alone: styles inline, pictures by relative path
 * (TASK/loss.png), no scripts and nothing fetched from the network, so it reads the same offline.
 */
public final class ReportPage {

    /** One task's section: its name and the pictures written under the page's folder. */
    public record Section(String task, List<Figure> figures) {
    }

    /**
     * @param path    relative to the page's folder, with '/' separators (e.g. {@code binary-sum/loss.png})
     * @param caption what the picture shows
     */
    public record Figure(String path, String caption) {
    }

    private ReportPage() {
    }

    /** Writes DIR/index.html and returns its path. */
    public static Path write(Path dir, String title, ResultsTable results, List<Section> sections) throws IOException {
        Path page = dir.resolve("index.html");
        AtomicFile.writeString(page, html(title, results, sections));
        return page;
    }

    static String html(String title, ResultsTable results, List<Section> sections) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append("</title>\n<style>\n")
                .append("body { font-family: sans-serif; margin: 2em; color: #222; }\n")
                .append("table { border-collapse: collapse; margin-bottom: 2em; }\n")
                .append("th, td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: left; }\n")
                .append("th { background: #eee; }\n")
                .append("figure { display: inline-block; margin: 0 1em 1.5em 0; vertical-align: top; max-width: 820px; }\n")
                .append("img { max-width: 100%; border: 1px solid #ddd; }\n")
                .append("</style>\n</head>\n<body>\n<h1>").append(escape(title)).append("</h1>\n");
        html.append("<h2>Results</h2>\n<table>\n");
        List<List<String>> cells = results.cells();
        for (int r = 0; r < cells.size(); r++) {
            String tag = r == 0 ? "th" : "td";
            html.append("<tr>");
            List<String> row = cells.get(r);
            for (int c = 0; c < row.size(); c++) {
                // a note's text spans the columns its row leaves out
                int span = c == row.size() - 1 ? cells.get(0).size() - c : 1;
                html.append('<').append(tag).append(span > 1 ? " colspan=\"" + span + "\"" : "").append('>')
                        .append(escape(row.get(c))).append("</").append(tag).append('>');
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
        for (Section section : sections) {
            html.append("<h2 id=\"").append(escape(section.task())).append("\">").append(escape(section.task()))
                    .append("</h2>\n");
            if (section.figures().isEmpty()) {
                html.append("<p>No pictures: this task trains nothing.</p>\n");
            }
            for (Figure figure : section.figures()) {
                html.append("<figure><img src=\"").append(escape(figure.path())).append("\" alt=\"")
                        .append(escape(figure.caption())).append("\"><figcaption>").append(escape(figure.caption()))
                        .append("</figcaption></figure>\n");
            }
        }
        return html.append("</body>\n</html>\n").toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
