package org.iommufd4j.selftest.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.iommufd4j.selftest.kit.KernelCase;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Gives the JUnit XML report's test cases their kselftest names. The legacy XML listener names a
 * test-template run {@code method()[i]}; the i-th run of a kernel test is the i-th of its cases the
 * filters select (the fixture extension makes them in that order), so the name maps back exactly.
 */
final class JUnitXmlNames {
    private static final Pattern INVOCATION = Pattern.compile("([\\w$]+)\\(.*\\)\\[(\\d+)]");

    private JUnitXmlNames() {
    }

    static void rename(Path xml, List<KernelCase> selected) {
        Map<String, List<KernelCase>> byMethod = new HashMap<>();
        for (KernelCase c : selected) {
            byMethod.computeIfAbsent(c.fixtureClass().getName() + "#" + c.method().getName(), k -> new java.util.ArrayList<>()).add(c);
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Document doc = factory.newDocumentBuilder().parse(xml.toFile());
            NodeList cases = doc.getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element e = (Element) cases.item(i);
                Matcher m = INVOCATION.matcher(e.getAttribute("name"));
                if (!m.matches()) {
                    continue;
                }
                List<KernelCase> runs = byMethod.get(e.getAttribute("classname") + "#" + m.group(1));
                int index = Integer.parseInt(m.group(2)) - 1;
                if (runs != null && index < runs.size()) {
                    e.setAttribute("name", runs.get(index).name());
                }
            }
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.transform(new DOMSource(doc), new StreamResult(xml.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the JUnit XML report " + xml, e);
        } catch (ParserConfigurationException | SAXException | TransformerException e) {
            throw new IllegalStateException("cannot rewrite the JUnit XML report " + xml + ": " + e.getMessage(), e);
        }
    }
}
